//! Cash-on-delivery reports (`CashAccount*`, DOC p.64–68).

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::client::CargusClient;
use crate::dates::{de_opt_datetime, iso_date};
use crate::error::CargusError;
use crate::serde_util::de_opt_text;

/// One COD repayment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CashAccountEntry {
    /// The AWB's date.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
    /// The AWB.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub bar_code: Option<String>,
    /// Sender.
    #[serde(default)]
    pub sender: Option<String>,
    /// Recipient.
    #[serde(default)]
    pub receiver: Option<String>,
    /// From.
    #[serde(default)]
    pub from_locality: Option<String>,
    /// To.
    #[serde(default)]
    pub to_locality: Option<String>,
    /// Our reference from the AWB.
    #[serde(default)]
    pub custom_string: Option<String>,
    /// When the recipient paid.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub repayment_date: Option<DateTime<FixedOffset>>,
    /// The repayment id.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub repayment_id: Option<String>,
    /// Amount, RON.
    #[serde(default)]
    pub repayment_value: Option<Decimal>,
    /// When Cargus paid it out.
    #[serde(default, deserialize_with = "de_opt_datetime")]
    pub deduction_date: Option<DateTime<FixedOffset>>,
    /// The payout (deduction) id.
    #[serde(default, deserialize_with = "de_opt_text")]
    pub deduction_id: Option<String>,
}

impl CargusClient {
    /// `GET CashAccount/GetByDate?FromDate=yyyy-mm-dd&ToDate=…`: COD collected in a period.
    ///
    /// # Errors
    /// As any call.
    pub async fn cash_account_by_date(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CashAccountEntry>, CargusError> {
        self.get_list(
            "CashAccount/GetByDate",
            &[("FromDate", iso_date(from)), ("ToDate", iso_date(to))],
        )
        .await
    }

    /// `GET CashAccount/GetByDeductionDate?DeductionDate=yyyy-mm-dd`: COD paid out on a day.
    ///
    /// # Errors
    /// As any call.
    pub async fn cash_account_by_deduction_date(
        &self,
        day: NaiveDate,
    ) -> Result<Vec<CashAccountEntry>, CargusError> {
        self.get_list(
            "CashAccount/GetByDeductionDate",
            &[("DeductionDate", iso_date(day))],
        )
        .await
    }

    /// `GET CashAccount?barCode=…`: the COD of one AWB.
    ///
    /// # Errors
    /// As any call.
    pub async fn cash_account_by_barcode(
        &self,
        barcode: &str,
    ) -> Result<Vec<CashAccountEntry>, CargusError> {
        let response = self
            .call(|http| http.get("CashAccount").query(&[("barCode", barcode)]))
            .await?;
        let value: serde_json::Value = if response.bytes().is_empty() {
            serde_json::Value::Null
        } else {
            response.json()?
        };
        let items = match value {
            serde_json::Value::Array(items) => items,
            serde_json::Value::Null => Vec::new(),
            other => vec![other],
        };
        items
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()
            .map_err(|e| CargusError::UnexpectedResponse {
                message: format!("CashAccount: {e}"),
                maybe_sent: false,
            })
    }
}
