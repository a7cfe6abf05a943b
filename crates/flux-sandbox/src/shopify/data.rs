//! Realistic Romanian demo data: a ceramics shop's catalogue, addresses with counties and
//! Bucharest sectors, B2C and B2B buyers (company and a valid CIF in the note
//! attributes), cash on delivery and card payments.

use rust_decimal::Decimal;

use super::state::Address;

/// How the buyer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payment {
    /// Cash on delivery: gateway `Cash on Delivery (COD)`, the order stays `PENDING`
    /// until marked as paid.
    CashOnDelivery,
    /// Card at checkout (`shopify_payments`): the order is `PAID` from the start.
    Card,
}

impl Payment {
    /// The payment gateway name Shopify reports.
    pub fn gateway(self) -> &'static str {
        match self {
            Payment::CashOnDelivery => "Cash on Delivery (COD)",
            Payment::Card => "shopify_payments",
        }
    }
}

/// A company buyer (B2B): its name, CIF and trade-register number go into the order's
/// note attributes (`company`, `cui`, `nr_reg_com`) and the billing address's company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Legal name, e.g. `Casa Bună Distribuție SRL`.
    pub name: String,
    /// Fiscal code, `RO` prefixed for VAT payers (`RO18547290`), with a valid check digit.
    pub cif: String,
    /// Trade-register number, e.g. `J40/1234/2019`.
    pub registration: String,
}

/// An order to create in a simulated shop.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDraft {
    /// Shipping (and, for B2C, billing) address.
    pub address: Address,
    /// Buyer email.
    pub email: Option<String>,
    /// How the buyer pays.
    pub payment: Payment,
    /// Company buyer, for B2B orders.
    pub company: Option<Company>,
    /// `(sku, quantity)` of catalogue variants.
    pub lines: Vec<(String, i64)>,
    /// A discount code and its percentage off every line (e.g. `("TOAMNA10", 10)`).
    pub discount: Option<(String, u32)>,
    /// Order note.
    pub note: Option<String>,
}

impl OrderDraft {
    /// A B2C order of `lines` to `address`.
    pub fn new(address: Address, payment: Payment, lines: Vec<(String, i64)>) -> Self {
        Self {
            address,
            email: None,
            payment,
            company: None,
            lines,
            discount: None,
            note: None,
        }
    }

    /// A random realistic order (seeded): 55 % cash on delivery, 20 % B2B, a quarter of
    /// the addresses in Bucharest, one to four catalogue lines, sometimes a discount.
    pub fn random(rng: &mut fastrand::Rng) -> Self {
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let address = random_address(rng, first, last);
        let payment = if rng.u8(0..100) < 55 {
            Payment::CashOnDelivery
        } else {
            Payment::Card
        };
        let company = (rng.u8(0..100) < 20).then(|| random_company(rng, &address));
        let mut lines: Vec<(String, i64)> = Vec::new();
        for _ in 0..rng.usize(1..=4) {
            let sku = pick(rng, CATALOGUE).0.to_owned();
            match lines.iter_mut().find(|(s, _)| *s == sku) {
                Some((_, q)) => *q += 1,
                None => lines.push((sku, rng.i64(1..=3))),
            }
        }
        let discount = (rng.u8(0..100) < 20).then(|| ("TOAMNA10".to_owned(), 10));
        let note = match rng.u8(0..10) {
            0 => Some("Sunați înainte de livrare".to_owned()),
            1 => Some("Vă rog lăsați coletul la portar".to_owned()),
            _ => None,
        };
        Self {
            email: Some(format!(
                "{}.{}{}@example.ro",
                ascii(first),
                ascii(last),
                rng.u16(1..999)
            )),
            address,
            payment,
            company,
            lines,
            discount,
            note,
        }
    }
}

fn pick<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(0..items.len())]
}

/// Lower-case ASCII of a Romanian name (for emails).
pub(crate) fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'î' | 'Î' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            other => other.to_ascii_lowercase(),
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn random_address(rng: &mut fastrand::Rng, first: &str, last: &str) -> Address {
    let phone = Some(format!(
        "+407{:02}{:06}",
        rng.u8(20..90),
        rng.u32(0..1_000_000)
    ));
    if rng.u8(0..100) < 25 {
        let (street, sector, zip) = pick(rng, BUCHAREST);
        let apartment = rng.bool().then(|| {
            format!(
                "Bl. {}{}, Sc. {}, Ap. {}",
                (b'A' + rng.u8(0..8)) as char,
                rng.u8(1..30),
                rng.u8(1..4),
                rng.u8(1..90)
            )
        });
        Address {
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            company: None,
            address1: format!("{street} {}", rng.u16(1..180)),
            address2: Some(match apartment {
                Some(a) => format!("Sector {sector}, {a}"),
                None => format!("Sector {sector}"),
            }),
            city: "București".to_owned(),
            province: "București".to_owned(),
            province_code: "B".to_owned(),
            zip: zip.to_owned(),
            phone,
        }
    } else {
        let (city, county, code, zip, street) = pick(rng, CITIES);
        Address {
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            company: None,
            address1: format!("{street} {}", rng.u16(1..120)),
            address2: rng
                .bool()
                .then(|| format!("Bl. {}, Ap. {}", rng.u8(1..40), rng.u8(1..60))),
            city: city.to_owned(),
            province: county.to_owned(),
            province_code: code.to_owned(),
            zip: zip.to_owned(),
            phone,
        }
    }
}

fn random_company(rng: &mut fastrand::Rng, address: &Address) -> Company {
    let base = rng.u32(1_000_000..49_999_999);
    let cif = cif_with_check_digit(base);
    let county_no = match address.province_code.as_str() {
        "B" => 40,
        "CJ" => 12,
        "IS" => 22,
        "TM" => 35,
        "BV" => 8,
        "CT" => 13,
        "IF" => 23,
        _ => 40,
    };
    Company {
        name: pick(rng, COMPANIES).to_owned(),
        cif: if rng.u8(0..100) < 80 {
            format!("RO{cif}")
        } else {
            cif
        },
        registration: format!(
            "J{county_no}/{}/{}",
            rng.u16(100..25_000),
            rng.u16(2005..2026)
        ),
    }
}

/// A Romanian CIF: `base` followed by its control digit (key 753217532).
pub fn cif_with_check_digit(base: u32) -> String {
    const KEY: [u32; 9] = [7, 5, 3, 2, 1, 7, 5, 3, 2];
    let digits = format!("{base:09}");
    let sum: u32 = digits
        .bytes()
        .zip(KEY)
        .map(|(d, k)| u32::from(d - b'0') * k)
        .sum();
    let control = (sum * 10) % 11 % 10;
    format!("{base}{control}")
}

/// The demo shop's catalogue: `(sku, product, variant, price in RON (bani), grams,
/// weight entered in kilograms)`.
/// `(sku, product, variant, price in bani, grams, weight entered in kilograms)`.
pub(crate) type CatalogueEntry = (
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
    i64,
    bool,
);

pub(crate) const CATALOGUE: &[CatalogueEntry] = &[
    (
        "CANA-ALB",
        "Cană ceramică",
        Some("Albastru"),
        4900,
        450,
        false,
    ),
    ("CANA-VRD", "Cană ceramică", Some("Verde"), 4900, 450, false),
    ("FARF-26", "Farfurie întinsă 26 cm", None, 3990, 650, true),
    ("BOL-SUP", "Bol supă", None, 3450, 400, false),
    ("SET-CAF", "Set cafea 6 cești", None, 18900, 1800, true),
    (
        "VAZA-M",
        "Vază lut pictată",
        Some("Mare"),
        12900,
        1200,
        true,
    ),
    ("VAZA-S", "Vază lut pictată", Some("Mică"), 7900, 700, true),
    (
        "TAVA-C",
        "Tavă ceramică pentru cuptor",
        None,
        15900,
        2300,
        true,
    ),
    ("CEAINIC", "Ceainic Horezu", None, 11900, 900, false),
    ("PLATOU", "Platou servire", None, 9900, 1500, true),
];

pub(crate) fn price_of(bani: i64) -> Decimal {
    Decimal::new(bani, 2)
}

const FIRST_NAMES: &[&str] = &[
    "Ana",
    "Maria",
    "Elena",
    "Ioana",
    "Andreea",
    "Cristina",
    "Diana",
    "Mihaela",
    "Mihai",
    "Andrei",
    "Alexandru",
    "Ion",
    "Gheorghe",
    "Radu",
    "Vlad",
    "Ștefan",
    "Bogdan",
    "Ionuț",
];

const LAST_NAMES: &[&str] = &[
    "Popescu",
    "Ionescu",
    "Popa",
    "Pop",
    "Radu",
    "Dumitru",
    "Stan",
    "Stoica",
    "Gheorghe",
    "Matei",
    "Ciobanu",
    "Munteanu",
    "Constantin",
    "Marin",
    "Rusu",
    "Lungu",
    "Țurcanu",
];

/// `(street, sector, postal code)`.
const BUCHAREST: &[(&str, u8, &str)] = &[
    ("Strada Lipscani", 3, "030031"),
    ("Calea Victoriei", 1, "010063"),
    ("Bulevardul Iuliu Maniu", 6, "061072"),
    ("Strada Fabrica de Glucoză", 2, "020331"),
    ("Bulevardul Unirii", 4, "040106"),
    ("Calea Rahovei", 5, "050901"),
    ("Șoseaua Pantelimon", 2, "021623"),
    ("Bulevardul Nicolae Grigorescu", 3, "032263"),
    ("Strada Brașov", 6, "061393"),
    ("Calea Dorobanților", 1, "010573"),
];

/// `(city, county, county code, postal code, street)`. Every locality is one the courier
/// simulators' nomenclature knows (`fancourier::ro`, shared with Cargus), so any courier
/// can carry any generated order.
const CITIES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "Cluj-Napoca",
        "Cluj",
        "CJ",
        "400114",
        "Strada Memorandumului",
    ),
    ("Florești", "Cluj", "CJ", "407280", "Strada Florilor"),
    (
        "Iași",
        "Iași",
        "IS",
        "700259",
        "Bulevardul Ștefan cel Mare și Sfânt",
    ),
    ("Timișoara", "Timiș", "TM", "300011", "Strada Alba Iulia"),
    ("Brașov", "Brașov", "BV", "500030", "Strada Republicii"),
    ("Săcele", "Brașov", "BV", "505600", "Strada Morii"),
    ("Constanța", "Constanța", "CT", "900178", "Bulevardul Tomis"),
    ("Craiova", "Dolj", "DJ", "200585", "Calea Unirii"),
    ("Oradea", "Bihor", "BH", "410087", "Strada Republicii"),
    ("Sibiu", "Sibiu", "SB", "550163", "Strada Nicolae Bălcescu"),
    (
        "Ploiești",
        "Prahova",
        "PH",
        "100066",
        "Strada Gheorghe Doja",
    ),
    ("Pitești", "Argeș", "AG", "110014", "Strada Victoriei"),
    (
        "Suceava",
        "Suceava",
        "SV",
        "720033",
        "Strada Ștefan cel Mare",
    ),
    ("Voluntari", "Ilfov", "IF", "077190", "Bulevardul Pipera"),
    ("Otopeni", "Ilfov", "IF", "075100", "Calea Bucureștilor"),
    (
        "Baia Mare",
        "Maramureș",
        "MM",
        "430311",
        "Bulevardul București",
    ),
    (
        "Târgu Mureș",
        "Mureș",
        "MS",
        "540049",
        "Piața Trandafirilor",
    ),
];

const COMPANIES: &[&str] = &[
    "Casa Bună Distribuție SRL",
    "Atelier Verde SRL",
    "Cafeneaua Veche SRL",
    "Horeca Trading SRL",
    "Tehno Grup SA",
    "Bistro La Mama SRL",
    "Pensiunea Dealul Morii SRL",
    "Interior Design Studio SRL",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cif_check_digits_match_known_fiscal_codes() {
        // 14399840 is a real, published fiscal code (Dante International, eMAG).
        assert_eq!(cif_with_check_digit(1_439_984), "14399840");
        // 001854729 · 753217532 = 111; 1110 mod 11 = 10, written as 0.
        assert_eq!(cif_with_check_digit(1_854_729), "18547290");
    }

    #[test]
    fn every_generated_locality_is_known_to_the_courier_simulators() {
        for (city, county, code, ..) in CITIES {
            assert!(
                crate::fancourier::ro::locality(county, city).is_some(),
                "{city} ({county}) is not in the FAN/Cargus nomenclature"
            );
            assert!(crate::fancourier::ro::county(code).is_some(), "{code}");
        }
        assert!(crate::fancourier::ro::locality("București", "București").is_some());
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..500 {
            let d = OrderDraft::random(&mut rng);
            assert!(
                crate::fancourier::ro::locality(&d.address.province, &d.address.city).is_some(),
                "{} ({})",
                d.address.city,
                d.address.province
            );
        }
    }

    #[test]
    fn random_orders_are_realistic() {
        let mut rng = fastrand::Rng::with_seed(3);
        let drafts: Vec<OrderDraft> = (0..200).map(|_| OrderDraft::random(&mut rng)).collect();
        assert!(drafts.iter().any(|d| {
            d.address.province_code == "B"
                && d.address
                    .address2
                    .as_deref()
                    .is_some_and(|a| a.starts_with("Sector "))
        }));
        assert!(drafts.iter().any(|d| d.company.is_some()));
        assert!(drafts.iter().any(|d| d.payment == Payment::CashOnDelivery));
        assert!(drafts.iter().any(|d| d.payment == Payment::Card));
        assert!(
            drafts
                .iter()
                .all(|d| d.address.zip.len() == 6 && !d.lines.is_empty())
        );
    }
}
