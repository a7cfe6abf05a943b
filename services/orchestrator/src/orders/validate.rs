//! Field checks shared by the handlers and the CSV import: emails, Canadian provinces and
//! US states, postal and ZIP codes, coordinates, money.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::http::error::ApiError;

/// Canadian provinces and territories.
pub const PROVINCES: &[&str] = &[
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
];

/// US states, DC and territories.
pub const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
];

/// A field error: `(field, message)`.
pub type FieldIssue = (String, String);

/// A trimmed, non-empty string, or an error on `field`.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, FieldIssue> {
    let v = value.trim();
    if v.is_empty() {
        return Err((field.into(), "is required".into()));
    }
    if v.chars().count() > max {
        return Err((field.into(), format!("must be at most {max} characters")));
    }
    Ok(v.to_owned())
}

/// An optional string: blank becomes `None`.
pub fn optional(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldIssue> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() > max => {
            Err((field.into(), format!("must be at most {max} characters")))
        }
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// A plausible email address, lower-cased.
pub fn email(field: &str, value: &str) -> Result<String, FieldIssue> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && v.matches('@').count() == 1;
    if ok {
        Ok(v)
    } else {
        Err((field.into(), "is not a valid email address".into()))
    }
}

/// `CA` or `US`, upper-cased.
pub fn country(field: &str, value: &str) -> Result<String, FieldIssue> {
    let v = value.trim().to_uppercase();
    match v.as_str() {
        "CA" | "US" => Ok(v),
        _ => Err((field.into(), "must be CA or US".into())),
    }
}

/// A province (CA) or state (US) code.
pub fn region(field: &str, country: &str, value: &str) -> Result<String, FieldIssue> {
    let v = value.trim().to_uppercase();
    let list = if country == "CA" { PROVINCES } else { STATES };
    if list.contains(&v.as_str()) {
        Ok(v)
    } else if country == "CA" {
        Err((
            field.into(),
            "must be a Canadian province or territory code (ON, QC, BC…)".into(),
        ))
    } else {
        Err((field.into(), "must be a US state code (NY, CA, TX…)".into()))
    }
}

/// A Canadian postal code (`A1A 1A1`) or a US ZIP code (`12345`, `12345-6789`), normalized.
pub fn postal_code(field: &str, country: &str, value: &str) -> Result<String, FieldIssue> {
    let v: String = value.trim().to_uppercase();
    if country == "CA" {
        let compact: Vec<char> = v.chars().filter(|c| *c != ' ').collect();
        let ok = compact.len() == 6
            && compact.iter().enumerate().all(|(i, c)| {
                if i % 2 == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_digit()
                }
            });
        if ok {
            let s: String = compact.into_iter().collect();
            return Ok(format!("{} {}", &s[..3], &s[3..]));
        }
        Err((
            field.into(),
            "must be a Canadian postal code such as K1A 0B1".into(),
        ))
    } else {
        let b = v.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        let ok = (b.len() == 5 && digits(b))
            || (b.len() == 10 && digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]));
        if ok {
            Ok(v)
        } else {
            Err((
                field.into(),
                "must be a ZIP code such as 10001 or 10001-1234".into(),
            ))
        }
    }
}

/// An optional coordinate within `-limit..=limit`.
pub fn coordinate(
    field: &str,
    value: Option<&str>,
    limit: i64,
) -> Result<Option<Decimal>, FieldIssue> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let d = Decimal::from_str(v)
        .map_err(|_| (field.to_owned(), "must be a decimal number".to_owned()))?;
    if d.abs() > Decimal::from(limit) {
        return Err((
            field.into(),
            format!("must be between -{limit} and {limit}"),
        ));
    }
    Ok(Some(d))
}

/// A non-negative amount with at most 4 decimals.
pub fn money(field: &str, value: Decimal) -> Result<Decimal, FieldIssue> {
    if value.is_sign_negative() {
        return Err((field.into(), "must not be negative".into()));
    }
    if value.scale() > 4 {
        return Err((field.into(), "must have at most 4 decimals".into()));
    }
    Ok(value.normalize())
}

/// Parses stored decimal text (written by us, so always valid).
pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

/// Turns the first issue into a 422.
pub fn to_api(issue: FieldIssue) -> ApiError {
    ApiError::validation(issue.0, issue.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canadian_and_us_addresses() {
        assert_eq!(postal_code("p", "CA", "k1a0b1").unwrap(), "K1A 0B1");
        assert!(postal_code("p", "CA", "12345").is_err());
        assert_eq!(postal_code("p", "US", "10001-1234").unwrap(), "10001-1234");
        assert!(postal_code("p", "US", "K1A 0B1").is_err());
        assert!(region("r", "CA", "on").is_ok());
        assert!(region("r", "CA", "NY").is_err());
        assert!(region("r", "US", "NY").is_ok());
        assert!(coordinate("lat", Some("91"), 90).is_err());
        assert!(email("e", "a@b.ca").is_ok());
        assert!(email("e", "a@b").is_err());
    }
}
