//! Checks Romanian fiscal codes and county names, and prints the VAT rates in force.
//!
//! ```text
//! cargo run -p flux-core --example ro_checks -- RO37311090 12345678 "Sector 3" "jud. Iasi"
//! ```
#![allow(clippy::print_stdout)]

use chrono::Local;
use flux_core::vat::{VatCategory, ro_vat_rate};
use flux_core::{Cif, County};

fn main() {
    let today = Local::now().date_naive();
    println!("Romanian VAT rates on {today}:");
    for category in [
        VatCategory::Standard,
        VatCategory::Reduced,
        VatCategory::SuperReduced,
        VatCategory::Housing,
    ] {
        match ro_vat_rate(category, today) {
            Ok(rate) => println!("  {category:?}: {}% ({})", rate.percent, rate.name),
            Err(e) => println!("  {category:?}: {}", e.message()),
        }
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let inputs = if args.is_empty() {
        vec![
            "RO37311090".to_owned(),
            "RO12345678".to_owned(),
            "Sector 3".to_owned(),
            "CJ".to_owned(),
        ]
    } else {
        args
    };
    for input in inputs {
        let looks_numeric = input
            .trim_start_matches(|c: char| {
                c.eq_ignore_ascii_case(&'r') || c.eq_ignore_ascii_case(&'o')
            })
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit());
        if looks_numeric {
            match Cif::parse(&input) {
                Ok(cif) => println!("{input:>16}: valid CIF {}", cif.with_ro_prefix()),
                Err(e) => println!("{input:>16}: {e}"),
            }
        } else {
            match County::parse(&input) {
                Ok(county) => println!(
                    "{input:>16}: county {} ({})",
                    county.name(),
                    county.iso_code()
                ),
                Err(e) => println!("{input:>16}: {e}"),
            }
        }
    }
}
