//! The customer CSV import: parsed in memory (the upload is never written to disk), every
//! row validated, errors reported with their line number and field, duplicates detected
//! within the file and against existing customers, and nothing written unless every row is
//! valid.
//!
//! Columns (header names, any order; only `name` is required): `name`, `contact_name`,
//! `email`, `phone`, `group`, `line1`, `line2`, `city`, `region`, `postal_code`, `country`,
//! `latitude`, `longitude`. A UTF-8 byte-order mark is ignored; fields may be quoted.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::validate;

/// One import error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The column.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// A validated address of an imported customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportAddress {
    /// Street.
    pub line1: String,
    /// Second line.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Province or state.
    pub region: String,
    /// Postal or ZIP code.
    pub postal_code: String,
    /// `CA` or `US`.
    pub country: String,
    /// Latitude.
    pub latitude: Option<Decimal>,
    /// Longitude.
    pub longitude: Option<Decimal>,
}

/// A validated row.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// Its line.
    pub line: u64,
    /// Company name.
    pub name: String,
    /// Contact.
    pub contact_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Group name.
    pub group: Option<String>,
    /// Billing address, when the address columns are filled.
    pub address: Option<ImportAddress>,
}

const COLUMNS: &[&str] = &[
    "name",
    "contact_name",
    "email",
    "phone",
    "group",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
];

/// Parses and validates `bytes`. `existing_names` and `existing_emails` (lower-cased) are
/// the organization's current customers, for duplicate detection. CPU-bound: call it on
/// the blocking pool.
pub fn parse(
    bytes: &[u8],
    existing_names: &HashSet<String>,
    existing_emails: &HashSet<String>,
    max_rows: usize,
) -> Result<Vec<ImportRow>, Vec<ImportError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let err = |line: u64, field: &str, message: String| ImportError {
        line,
        field: field.to_owned(),
        message,
    };
    let headers = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect::<Vec<_>>(),
        Err(e) => return Err(vec![err(1, "header", format!("unreadable header: {e}"))]),
    };
    let mut errors = Vec::new();
    for h in &headers {
        if !COLUMNS.contains(&h.as_str()) {
            errors.push(err(
                1,
                h,
                format!("unknown column; expected some of: {}", COLUMNS.join(", ")),
            ));
        }
    }
    if !headers.iter().any(|h| h == "name") {
        errors.push(err(1, "name", "the `name` column is required".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    let mut seen_names: HashMap<String, u64> = HashMap::new();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, "row", format!("unreadable row: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() + errors.len() >= max_rows {
            errors.push(err(
                line,
                "row",
                format!("a file may hold at most {max_rows} rows"),
            ));
            break;
        }
        if record.len() != headers.len() {
            errors.push(err(
                line,
                "row",
                format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let get = |c: &str| index.get(c).and_then(|i| record.get(*i)).unwrap_or("");
        let mut row_errors = Vec::new();
        let mut take = |r: Result<Option<String>, validate::FieldIssue>| match r {
            Ok(v) => v,
            Err((f, m)) => {
                row_errors.push(err(line, &f, m));
                None
            }
        };
        let name = take(validate::required("name", get("name"), 200).map(Some));
        let contact_name = take(validate::optional(
            "contact_name",
            Some(get("contact_name")),
            200,
        ));
        let email = if get("email").is_empty() {
            None
        } else {
            take(validate::email("email", get("email")).map(Some))
        };
        let phone = take(validate::optional("phone", Some(get("phone")), 50));
        let group = take(validate::optional("group", Some(get("group")), 100));
        let address_cols = ["line1", "city", "region", "postal_code", "country"];
        let address = if address_cols.iter().all(|c| get(c).is_empty()) {
            None
        } else {
            let line1 = take(validate::required("line1", get("line1"), 200).map(Some));
            let line2 = take(validate::optional("line2", Some(get("line2")), 200));
            let city = take(validate::required("city", get("city"), 100).map(Some));
            let country = take(validate::country("country", get("country")).map(Some));
            let (region, postal) = match &country {
                Some(c) => (
                    take(validate::region("region", c, get("region")).map(Some)),
                    take(validate::postal_code("postal_code", c, get("postal_code")).map(Some)),
                ),
                None => (None, None),
            };
            let mut lat = None;
            let mut lon = None;
            match validate::coordinate("latitude", Some(get("latitude")), 90) {
                Ok(v) => lat = v,
                Err((f, m)) => row_errors.push(err(line, &f, m)),
            }
            match validate::coordinate("longitude", Some(get("longitude")), 180) {
                Ok(v) => lon = v,
                Err((f, m)) => row_errors.push(err(line, &f, m)),
            }
            match (line1, city, country, region, postal) {
                (Some(line1), Some(city), Some(country), Some(region), Some(postal_code)) => {
                    Some(ImportAddress {
                        line1,
                        line2,
                        city,
                        region,
                        postal_code,
                        country,
                        latitude: lat,
                        longitude: lon,
                    })
                }
                _ => None,
            }
        };
        if let Some(name) = &name {
            let key = name.to_lowercase();
            if let Some(first) = seen_names.get(&key) {
                row_errors.push(err(line, "name", format!("duplicate of line {first}")));
            } else if existing_names.contains(&key) {
                row_errors.push(err(
                    line,
                    "name",
                    "a customer with this name already exists".into(),
                ));
            } else {
                seen_names.insert(key, line);
            }
        }
        if let Some(email) = &email {
            if let Some(first) = seen_emails.get(email) {
                row_errors.push(err(line, "email", format!("duplicate of line {first}")));
            } else if existing_emails.contains(email) {
                row_errors.push(err(
                    line,
                    "email",
                    "a customer with this email already exists".into(),
                ));
            } else {
                seen_emails.insert(email.clone(), line);
            }
        }
        if row_errors.is_empty() {
            if let Some(name) = name {
                rows.push(ImportRow {
                    line,
                    name,
                    contact_name,
                    email,
                    phone,
                    group,
                    address,
                });
            }
        } else {
            errors.extend(row_errors);
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_quotes_and_line_numbers() {
        let csv = "\u{feff}name,email,line1,city,region,postal_code,country\n\"Acme, Inc.\",a@acme.ca,\"1 Main St\",Toronto,ON,m5v2t6,CA\nBad,not-an-email,,,,,\n";
        let errors = parse(csv.as_bytes(), &HashSet::new(), &HashSet::new(), 100).unwrap_err();
        assert_eq!(
            errors,
            vec![ImportError {
                line: 3,
                field: "email".into(),
                message: "is not a valid email address".into()
            }]
        );
        let ok = parse(
            &csv.as_bytes()[..csv.find("Bad").unwrap()],
            &HashSet::new(),
            &HashSet::new(),
            100,
        )
        .unwrap();
        assert_eq!(ok[0].name, "Acme, Inc.");
        assert_eq!(ok[0].address.as_ref().unwrap().postal_code, "M5V 2T6");
    }
}
