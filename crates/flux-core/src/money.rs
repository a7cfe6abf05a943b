//! Money: an exact decimal amount in an ISO 4217 currency, with each currency's rounding rule.
//!
//! ```
//! use flux_core::{Currency, Money};
//! use rust_decimal::Decimal;
//! use std::str::FromStr;
//!
//! let price = Money::new(Decimal::from_str("10.005").unwrap(), Currency::RON);
//! assert_eq!(price.rounded().amount(), Decimal::from_str("10.01").unwrap());
//! let total = price.checked_add(&Money::from_str("0.995 RON").unwrap()).unwrap();
//! assert_eq!(total.to_string(), "11.000 RON");
//! ```

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency code (three upper-case ASCII letters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Romanian leu.
    pub const RON: Self = Self(*b"RON");
    /// Euro.
    pub const EUR: Self = Self(*b"EUR");
    /// US dollar.
    pub const USD: Self = Self(*b"USD");
    /// Canadian dollar.
    pub const CAD: Self = Self(*b"CAD");
    /// Hungarian forint (MyGLS and Sameday Hungary).
    pub const HUF: Self = Self(*b"HUF");
    /// Bulgarian lev (Sameday Bulgaria).
    pub const BGN: Self = Self(*b"BGN");
    /// Czech koruna (MyGLS Czechia).
    pub const CZK: Self = Self(*b"CZK");
    /// Pound sterling.
    pub const GBP: Self = Self(*b"GBP");

    /// Parses a code such as `"ron"` or `"EUR"`.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let code = code.trim();
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(MoneyError::InvalidCurrency(code.to_owned()));
        }
        Ok(Self([
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ]))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The bytes are validated ASCII letters on construction.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimals amounts in this currency are rounded to (2 for every currency
    /// Flux invoices in; 0 for the few ISO currencies without minor units).
    pub fn minor_units(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"ISK" | b"CLP" | b"VND" => 0,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Errors building or combining money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The currency code is not three ASCII letters.
    #[error("invalid currency code {0:?}: expected three letters such as RON")]
    InvalidCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    /// The amount could not be parsed.
    #[error("invalid amount {0:?}")]
    InvalidAmount(String),
}

/// An exact amount of money in one currency.
///
/// Amounts keep the precision they were built with; call [`Money::rounded`] at the points
/// where a provider or a document needs the currency's minor units.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// `amount` in `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// The amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Rounded to the currency's minor units, half away from zero (the rule Romanian
    /// invoicing platforms, QuickBooks and card networks apply to 0.005).
    pub fn rounded(&self) -> Self {
        Self::new(
            self.amount.round_dp_with_strategy(
                self.currency.minor_units(),
                RoundingStrategy::MidpointAwayFromZero,
            ),
            self.currency,
        )
    }

    /// Rounded for a cash payment. Canada withdrew the cent in 2013, so a CAD cash total is
    /// rounded to the nearest 0.05; every other currency rounds as [`Money::rounded`].
    pub fn rounded_for_cash(&self) -> Self {
        if self.currency == Currency::CAD {
            let twenty = Decimal::from(20);
            let nickels = (self.amount * twenty)
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            Self::new((nickels / twenty).round_dp(2), self.currency)
        } else {
            self.rounded()
        }
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(Self::new(self.amount + other.amount, self.currency))
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(Self::new(self.amount - other.amount, self.currency))
    }

    /// Multiplies by a quantity or rate.
    pub fn times(&self, factor: Decimal) -> Money {
        Self::new(self.amount * factor, self.currency)
    }

    /// Sums amounts that must all be in `currency`.
    pub fn sum<'a>(
        currency: Currency,
        items: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({} {})", self.amount, self.currency)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    /// Parses `"12.50 RON"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace();
        let (Some(amount), Some(currency), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(MoneyError::InvalidAmount(s.to_owned()));
        };
        let amount =
            Decimal::from_str(amount).map_err(|_| MoneyError::InvalidAmount(amount.to_owned()))?;
        Ok(Self::new(amount, Currency::parse(currency)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounding_is_half_away_from_zero_to_two_decimals() {
        for (currency, input, expected) in [
            (Currency::RON, dec!(10.005), dec!(10.01)),
            (Currency::RON, dec!(10.004), dec!(10.00)),
            (Currency::EUR, dec!(-2.345), dec!(-2.35)),
            (Currency::USD, dec!(0.125), dec!(0.13)),
            (Currency::CAD, dec!(19.999), dec!(20.00)),
        ] {
            assert_eq!(
                Money::new(input, currency).rounded().amount(),
                expected,
                "{input} {currency}"
            );
        }
    }

    #[test]
    fn cad_cash_rounds_to_nickels_others_to_cents() {
        let cases = [
            (dec!(1.01), dec!(1.00)),
            (dec!(1.02), dec!(1.00)),
            (dec!(1.03), dec!(1.05)),
            (dec!(1.07), dec!(1.05)),
            (dec!(1.08), dec!(1.10)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Money::new(input, Currency::CAD).rounded_for_cash().amount(),
                expected
            );
        }
        assert_eq!(
            Money::new(dec!(1.03), Currency::USD)
                .rounded_for_cash()
                .amount(),
            dec!(1.03)
        );
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        let ron = Money::new(dec!(1), Currency::RON);
        let eur = Money::new(dec!(1), Currency::EUR);
        assert_eq!(
            ron.checked_add(&eur),
            Err(MoneyError::CurrencyMismatch(Currency::RON, Currency::EUR))
        );
        let total = Money::sum(Currency::RON, [&ron, &ron, &ron]).unwrap();
        assert_eq!(total.amount(), dec!(3));
    }

    #[test]
    fn serde_keeps_amount_exact_as_string() {
        let m = Money::new(dec!(0.1), Currency::RON).times(dec!(3));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"0.3","currency":"RON"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"R0N"}"#).is_err());
    }

    #[test]
    fn currency_parse_normalises_case_and_rejects_garbage() {
        assert_eq!(Currency::parse("ron").unwrap(), Currency::RON);
        assert!(Currency::parse("RONN").is_err());
        assert!(Currency::parse("R1N").is_err());
        assert_eq!(
            "12.50 cad".parse::<Money>().unwrap().currency(),
            Currency::CAD
        );
        assert!("12,50 RON".parse::<Money>().is_err());
    }
}
