//! AWB operations: create, estimate, delete, PDF, COD update, extra parcels, parcel size.

use flux_http::Method;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::SamedayClient;
use crate::client::{path_segment, unexpected_body};
use crate::error::SamedayError;
use crate::form;
use crate::types::{CreateAwb, CreatedAwb, EstimateCost, NewParcel, ParcelDimensions};

const FORM: &str = "application/x-www-form-urlencoded";

/// Page size of an AWB PDF (`GET /api/awb/download/{awb}/{A4|A6}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AwbPdfFormat {
    /// A4 sheet.
    #[default]
    A4,
    /// A6 label (10×15 cm thermal printers).
    A6,
}

impl AwbPdfFormat {
    fn as_path(self) -> &'static str {
        match self {
            AwbPdfFormat::A4 => "A4",
            AwbPdfFormat::A6 => "A6",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodUpdate {
    cash_on_delivery: Decimal,
}

impl SamedayClient {
    /// Creates an AWB (`POST /api/awb`). This costs money and is **not** retried after it
    /// may have reached Sameday: on an error with
    /// [`maybe_sent`](flux_http::HttpError::maybe_sent), look for the AWB (status sync,
    /// eAWB) before trying again.
    ///
    /// # Errors
    /// [`SamedayError::BadRequest`] with field paths (`awbRecipient.cityString`,
    /// `lockerLastMile`, `clientInternalReference: awb.not_unique`), auth and transport
    /// errors.
    pub async fn create_awb(&self, awb: &CreateAwb) -> Result<CreatedAwb, SamedayError> {
        if awb.parcels.is_empty() {
            return Err(SamedayError::invalid(
                "parcels",
                "at least one parcel is needed",
            ));
        }
        let body = form::to_string(&awb.wire())?;
        self.execute_json(|http| {
            http.request(Method::POST, "api/awb")
                .body_bytes(body.clone(), FORM)
        })
        .await
    }

    /// Prices an AWB without creating it (`POST /api/awb/estimate-cost`). Sameday prices
    /// on the pickup point, service, parcels, recipient, COD, insured value and taxes.
    ///
    /// # Errors
    /// As [`create_awb`](Self::create_awb).
    pub async fn estimate_cost(&self, awb: &CreateAwb) -> Result<EstimateCost, SamedayError> {
        if awb.parcels.is_empty() {
            return Err(SamedayError::invalid(
                "parcels",
                "at least one parcel is needed",
            ));
        }
        let body = form::to_string(&awb.estimate_wire())?;
        self.execute_json(|http| {
            http.request(Method::POST, "api/awb/estimate-cost")
                .body_bytes(body.clone(), FORM)
                // Pricing changes nothing, so repeating it after a 5xx is safe.
                .idempotent(true)
        })
        .await
    }

    /// Deletes (cancels) an AWB that has not been picked up (`DELETE /api/awb/{awb}`).
    ///
    /// # Errors
    /// [`SamedayError::NotFound`] for an unknown AWB, [`SamedayError::BadRequest`] when
    /// Sameday refuses (the parcel already moved).
    pub async fn delete_awb(&self, awb_number: &str) -> Result<(), SamedayError> {
        let awb = path_segment("awb_number", awb_number)?;
        let path = format!("api/awb/{awb}");
        self.execute(|http| http.request(Method::DELETE, &path))
            .await?;
        Ok(())
    }

    /// Downloads the AWB label as PDF bytes (`GET /api/awb/download/{awb}/{A4|A6}`).
    ///
    /// # Errors
    /// [`SamedayError::NotFound`] for an unknown AWB; a decode error when the answer is
    /// not a PDF.
    pub async fn awb_pdf(
        &self,
        awb_number: &str,
        format: AwbPdfFormat,
    ) -> Result<Vec<u8>, SamedayError> {
        let awb = path_segment("awb_number", awb_number)?;
        let path = format!("api/awb/download/{awb}/{}", format.as_path());
        let response = self
            .execute(|http| http.request(Method::GET, &path))
            .await?;
        let bytes = response.bytes();
        if !bytes.starts_with(b"%PDF") {
            return Err(unexpected_body(
                format!("GET {}", response.url().path()),
                "the AWB download did not return a PDF",
                &bytes,
            ));
        }
        Ok(bytes.to_vec())
    }

    /// Changes the cash-on-delivery amount (`PUT /api/awb/{awb}/update-cod`).
    ///
    /// # Errors
    /// [`SamedayError::BadRequest`] when Sameday refuses the change.
    pub async fn update_cod(&self, awb_number: &str, amount: Decimal) -> Result<(), SamedayError> {
        if amount < Decimal::ZERO {
            return Err(SamedayError::invalid(
                "cash_on_delivery",
                "must not be negative",
            ));
        }
        let awb = path_segment("awb_number", awb_number)?;
        let path = format!("api/awb/{awb}/update-cod");
        let body = form::to_string(&CodUpdate {
            cash_on_delivery: amount,
        })?;
        self.execute(|http| {
            http.request(Method::PUT, &path)
                .body_bytes(body.clone(), FORM)
        })
        .await?;
        Ok(())
    }

    /// Adds a parcel to an existing AWB (`POST /api/awb/{awb}/parcel`) and returns the new
    /// parcel's number. Sameday's answer does not carry it, so, like Sameday's SDK, this
    /// compares the AWB's parcels before and after (three calls).
    ///
    /// # Errors
    /// As [`create_awb`](Self::create_awb); `Ok(None)` if the new parcel is not listed yet.
    pub async fn add_parcel(
        &self,
        awb_number: &str,
        parcel: &NewParcel,
    ) -> Result<Option<String>, SamedayError> {
        let awb = path_segment("awb_number", awb_number)?;
        let before = self.awb_status(awb).await?;
        let path = format!("api/awb/{awb}/parcel");
        let body = form::to_string(parcel)?;
        self.execute(|http| {
            http.request(Method::POST, &path)
                .body_bytes(body.clone(), FORM)
        })
        .await?;
        let after = self.awb_status(awb).await?;
        Ok(after
            .parcels_status
            .into_iter()
            .map(|p| p.parcel_awb_number)
            .find(|n| {
                !before
                    .parcels_status
                    .iter()
                    .any(|old| &old.parcel_awb_number == n)
            }))
    }

    /// Corrects a parcel's weight and size (`PUT /api/client/parcel/{parcelAwb}/size`).
    ///
    /// # Errors
    /// [`SamedayError::BadRequest`] when Sameday refuses the values.
    pub async fn update_parcel_size(
        &self,
        parcel_awb_number: &str,
        size: &ParcelDimensions,
    ) -> Result<(), SamedayError> {
        let parcel = path_segment("parcel_awb_number", parcel_awb_number)?;
        let path = format!("api/client/parcel/{parcel}/size");
        let body = form::to_string(size)?;
        self.execute(|http| {
            http.request(Method::PUT, &path)
                .body_bytes(body.clone(), FORM)
        })
        .await?;
        Ok(())
    }
}
