//! `CompanyInfo` and `Preferences`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::{EmailAddress, MetaData, PhysicalAddress};
use super::entity;

/// The company's identity; `Country` (`US`, `CA`) decides the tax model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CompanyInfo {
    /// Id (the realm id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// Company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// Country code (`US`, `CA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Company address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_addr: Option<PhysicalAddress>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// Creation and update times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<MetaData>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(CompanyInfo, "CompanyInfo", "companyinfo");

/// Company preferences. The groups are kept as JSON; helpers read the ones this crate uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Preferences {
    /// Id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// `TaxPrefs` (`UsingSalesTax`, `PartnerTaxEnabled`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_prefs: Option<Map<String, Value>>,
    /// `SalesFormsPrefs` (`CustomTxnNumbers`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_forms_prefs: Option<Map<String, Value>>,
    /// `CurrencyPrefs` (`HomeCurrency`, `MultiCurrencyEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_prefs: Option<Map<String, Value>>,
    /// Other groups.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(Preferences, "Preferences", "preferences");

impl Preferences {
    /// `SalesFormsPrefs.CustomTxnNumbers`: whether the company numbers documents itself.
    pub fn custom_txn_numbers(&self) -> Option<bool> {
        self.sales_forms_prefs
            .as_ref()?
            .get("CustomTxnNumbers")?
            .as_bool()
    }

    /// `TaxPrefs.PartnerTaxEnabled`: US automated sales tax.
    pub fn partner_tax_enabled(&self) -> Option<bool> {
        self.tax_prefs.as_ref()?.get("PartnerTaxEnabled")?.as_bool()
    }

    /// `CurrencyPrefs.HomeCurrency.value`.
    pub fn home_currency(&self) -> Option<&str> {
        self.currency_prefs
            .as_ref()?
            .get("HomeCurrency")?
            .get("value")?
            .as_str()
    }
}
