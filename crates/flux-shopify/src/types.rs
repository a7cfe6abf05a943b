//! Types shared by several operations: money, pages, weights, addresses.

use flux_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// Deserializes an id sent either as a string or as a number into a `String`.
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(serde_json::Number),
    }
    Ok(match Either::deserialize(d)? {
        Either::S(s) => s,
        Either::N(n) => n.to_string(),
    })
}

/// `null` as the default value.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A GraphQL `MoneyV2`: a decimal amount and its currency.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MoneyV2 {
    /// The amount.
    pub amount: Decimal,
    /// The ISO 4217 currency.
    pub currency_code: Currency,
}

impl MoneyV2 {
    /// As a [`flux_core::Money`].
    pub fn to_money(&self) -> Money {
        Money::new(self.amount, self.currency_code)
    }
}

/// A GraphQL `MoneyBag`: the amount in the shop's currency and in the currency the
/// customer saw.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MoneyBag {
    /// In the shop's currency.
    pub shop_money: MoneyV2,
    /// In the presentment currency (absent when not queried).
    #[serde(default)]
    pub presentment_money: Option<MoneyV2>,
}

/// Relay `pageInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PageInfo {
    /// Whether another page follows.
    #[serde(default)]
    pub has_next_page: bool,
    /// The cursor to pass as `after` for the next page.
    #[serde(default)]
    pub end_cursor: Option<String>,
}

/// One page of a Relay connection (`nodes` + `pageInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Connection<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub nodes: Vec<T>,
    /// Paging state (absent when not queried).
    #[serde(default)]
    pub page_info: PageInfo,
}

/// A weight with its unit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Weight {
    /// `GRAMS`, `KILOGRAMS`, `OUNCES`, `POUNDS`.
    pub unit: WeightUnit,
    /// The value.
    pub value: Decimal,
}

impl Weight {
    /// The weight in kilograms.
    pub fn kilograms(&self) -> Decimal {
        use rust_decimal_macros_free::*;
        match &self.unit {
            WeightUnit::Grams => self.value / THOUSAND,
            WeightUnit::Kilograms => self.value,
            WeightUnit::Ounces => self.value * OUNCE_KG,
            WeightUnit::Pounds => self.value * POUND_KG,
            WeightUnit::Other(_) => self.value,
        }
    }
}

mod rust_decimal_macros_free {
    use rust_decimal::Decimal;
    pub(super) const THOUSAND: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);
    /// 0.028349523125 kg.
    pub(super) const OUNCE_KG: Decimal = Decimal::from_parts(2_579_719_349, 6, 0, false, 12);
    /// 0.45359237 kg.
    pub(super) const POUND_KG: Decimal = Decimal::from_parts(45_359_237, 0, 0, false, 8);
}

open_enum! {
    /// A `WeightUnit`.
    WeightUnit {
        /// Grams.
        Grams = "GRAMS",
        /// Kilograms.
        Kilograms = "KILOGRAMS",
        /// Ounces.
        Ounces = "OUNCES",
        /// Pounds.
        Pounds = "POUNDS",
    }
}

/// A `MailingAddress` as the Admin API returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct MailingAddress {
    /// Full name.
    pub name: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Street line 1.
    pub address1: Option<String>,
    /// Street line 2.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Province / county name.
    pub province: Option<String>,
    /// Province code (e.g. `CJ`, `B`).
    pub province_code: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// ISO country code.
    pub country_code_v2: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}
