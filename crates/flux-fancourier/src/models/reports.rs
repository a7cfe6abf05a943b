//! Daily reports: the AWB slip (borderou, `reports/awb`) and COD bank transfers
//! (`reports/bank-transfers`).

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::awb::{Packages, PaymentParty, ServiceName};
use crate::wire;

/// An address as the reports return it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct ReportAddress {
    /// Locality.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub locality: Option<String>,
    /// County.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub county: Option<String>,
    /// Street.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub street: Option<String>,
    /// Street number.
    #[serde(rename = "streetNo", default, deserialize_with = "wire::opt_string")]
    pub street_no: Option<String>,
    /// Postal code.
    #[serde(rename = "zipCode", default, deserialize_with = "wire::opt_string")]
    pub zip_code: Option<String>,
}

/// A party as the reports return it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[non_exhaustive]
pub struct ReportParty {
    /// Name.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub name: Option<String>,
    /// Contact person.
    #[serde(
        rename = "contactPerson",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub contact_person: Option<String>,
    /// Phone.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub phone: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: ReportAddress,
}

/// `info` of a borderou line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ShippingSlipInfo {
    /// The AWB.
    #[serde(rename = "awbNumber", deserialize_with = "wire::string")]
    pub awb_number: String,
    /// Service.
    pub service: Option<ServiceName>,
    /// Weight, kg.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub weight: Option<Decimal>,
    /// Who pays.
    #[serde(default)]
    pub payment: Option<PaymentParty>,
    /// COD.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub cod: Option<Decimal>,
    /// Declared value.
    #[serde(
        rename = "declaredValue",
        default,
        deserialize_with = "wire::opt_decimal"
    )]
    pub declared_value: Option<Decimal>,
    /// Notes.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub observations: Option<String>,
    /// Contents.
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub content: Option<String>,
    /// When the AWB was created (Europe/Bucharest).
    #[serde(default, deserialize_with = "wire::opt_local_datetime")]
    pub date: Option<DateTime<FixedOffset>>,
    /// Transport cost.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub cost: Option<Decimal>,
    /// Packages.
    #[serde(default)]
    pub packages: Packages,
    /// Currency as FAN writes it (`LEI`).
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub currency: Option<String>,
}

/// One AWB of the daily slip (borderou).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ShippingSlipEntry {
    /// The shipment.
    pub info: ShippingSlipInfo,
    /// Recipient.
    #[serde(default)]
    pub recipient: ReportParty,
    /// Sender.
    #[serde(default)]
    pub sender: ReportParty,
}

/// `info` of a bank transfer line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BankTransferInfo {
    /// The AWB whose COD was paid.
    #[serde(rename = "awbNumber", deserialize_with = "wire::string")]
    pub awb_number: String,
    /// AWB date.
    #[serde(rename = "awbDate", default, deserialize_with = "wire::opt_date")]
    pub awb_date: Option<NaiveDate>,
    /// Return AWB.
    #[serde(
        rename = "returnAwbNumber",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub return_awb_number: Option<String>,
    /// Reimbursement AWB.
    #[serde(
        rename = "reimbursementAwbNumber",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub reimbursement_awb_number: Option<String>,
    /// The COD collected, RON.
    #[serde(rename = "amountCollected", deserialize_with = "wire::opt_decimal")]
    pub amount_collected: Option<Decimal>,
    /// Contents (usually the order reference).
    #[serde(default, deserialize_with = "wire::opt_string")]
    pub content: Option<String>,
    /// When FAN transferred the money.
    #[serde(rename = "transferDate", default, deserialize_with = "wire::opt_date")]
    pub transfer_date: Option<NaiveDate>,
    /// How it was collected (`cash`, `card`).
    #[serde(
        rename = "transactionType",
        default,
        deserialize_with = "wire::opt_string"
    )]
    pub transaction_type: Option<String>,
    /// When it was collected.
    #[serde(
        rename = "transactionDate",
        default,
        deserialize_with = "wire::opt_date"
    )]
    pub transaction_date: Option<NaiveDate>,
}

/// One COD paid out by bank transfer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BankTransfer {
    /// The payment.
    pub info: BankTransferInfo,
    /// Recipient.
    #[serde(default)]
    pub recipient: ReportParty,
    /// Sender.
    #[serde(default)]
    pub sender: ReportParty,
}
