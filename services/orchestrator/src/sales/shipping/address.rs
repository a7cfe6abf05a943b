//! Shopify's free-text address lines as the street, the house number and the complement
//! (block, staircase, floor, apartment, sector) that couriers keep in separate fields.
//!
//! Shoppers write Romanian addresses in many ways: `Strada Lalelelor nr. 12, bl. A3,
//! ap. 4`, `Str. Mihai Eminescu 15`, `Bd. Unirii nr.5A`, `Calea Victoriei, 12-14`,
//! `Aleea Rozelor număr 7 bloc 4 scara B`. [`split_street`] finds the house number after a
//! number word (`nr`, `nr.`, `număr`, `numărul`, `no.`), else a number ending the street
//! (not the year of a date-named street such as `Strada 1 Decembrie 1918`), else one in
//! `address2`; everything from a complement word on (`bl.`, `sc.`, `et.`, `ap.`,
//! `sector`…) goes to the complement. When no number can be found, `number` is `None`
//! and couriers that require one (GLS) refuse the order before any call.

/// An address line split into what couriers keep apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreetParts {
    /// The street (type and name), without the number.
    pub street: Option<String>,
    /// The house number as written ("12", "12A", "12-14", "34/B", "10 bis").
    pub number: Option<String>,
    /// Block, staircase, floor, apartment, sector and any other text, one part each.
    pub complement: Vec<String>,
}

const NUMBER_WORDS: &[&str] = &["nr", "numar", "numarul", "no", "nº", "№"];
const NO_NUMBER_WORDS: &[&str] = &["fn", "f/n", "fara", "f n"];
const COMPLEMENT_WORDS: &[&str] = &[
    "bl",
    "bloc",
    "blocul",
    "sc",
    "scara",
    "scarii",
    "et",
    "etaj",
    "etajul",
    "ap",
    "apt",
    "apart",
    "apartament",
    "apartamentul",
    "cam",
    "camera",
    "sector",
    "sectorul",
    "interfon",
    "corp",
    "parter",
    "mansarda",
];
const STREET_TYPES: &[&str] = &[
    "str",
    "strada",
    "bd",
    "bdul",
    "b dul",
    "blvd",
    "bulevardul",
    "calea",
    "cal",
    "sos",
    "soseaua",
    "aleea",
    "al",
    "piata",
    "p ta",
    "intrarea",
    "intr",
    "splaiul",
    "drumul",
    "prelungirea",
];
const MONTHS: &[&str] = &[
    "ianuarie",
    "februarie",
    "martie",
    "aprilie",
    "mai",
    "iunie",
    "iulie",
    "august",
    "septembrie",
    "octombrie",
    "noiembrie",
    "decembrie",
];

/// Lower case, no Romanian diacritics, no trailing `.`/`:`.
fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        out.push(match c {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'î' | 'Î' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            c => c.to_lowercase().next().unwrap_or(c),
        });
    }
    out.trim_end_matches(['.', ':']).replace('.', " ")
}

fn is_number_word(word: &str) -> bool {
    NUMBER_WORDS.contains(&fold(word).as_str())
}

fn is_complement_word(word: &str) -> bool {
    COMPLEMENT_WORDS.contains(&fold(word).as_str())
}

fn is_no_number_word(word: &str) -> bool {
    let f = fold(word);
    NO_NUMBER_WORDS.contains(&f.as_str()) || f == "f n"
}

fn is_street_type(word: &str) -> bool {
    STREET_TYPES.contains(&fold(word).as_str())
}

/// "12", "12A", "12-14", "34/B", "5bis", "7C1": starts with a digit, at most 10 letters,
/// digits, `-` and `/`, with more digits than letters.
fn is_house_number(token: &str) -> bool {
    let t = token.trim_matches(|c: char| matches!(c, ',' | ';' | '.'));
    let Some(first) = t.chars().next() else {
        return false;
    };
    if !first.is_ascii_digit() || t.chars().count() > 10 {
        return false;
    }
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    t.chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '/')
        && (letters <= 1 || fold(t.trim_start_matches(|c: char| c.is_ascii_digit())) == "bis")
}

fn clean(token: &str) -> String {
    token
        .trim_matches(|c: char| matches!(c, ',' | ';'))
        .trim_end_matches('.')
        .to_owned()
}

/// Splits glued tokens: "nr.12" → "nr." "12", "bl.A3" → "bl." "A3", "nr12" → "nr" "12".
fn tokens(segment: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in segment.split_whitespace() {
        if let Some(pos) = raw.find(['.', ':']) {
            let (head, tail) = raw.split_at(pos + 1);
            let tail = tail.trim_start_matches(['.', ':']);
            if !tail.is_empty() && (is_number_word(head) || is_complement_word(head)) {
                out.push(head.to_owned());
                out.push(tail.to_owned());
                continue;
            }
        }
        let lower = raw.to_lowercase();
        if lower.starts_with("nr")
            && raw.len() > 2
            && raw[2..].chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            out.push(raw[..2].to_owned());
            out.push(raw[2..].to_owned());
            continue;
        }
        out.push(raw.to_owned());
    }
    out
}

/// Takes a house number starting at `tokens[i]`: the number and a following lone letter
/// or "bis" ("12 A" → "12A", "10 bis"). Returns it and how many tokens it used.
fn take_number(tokens: &[String], i: usize) -> Option<(String, usize)> {
    let t = tokens.get(i)?;
    if !is_house_number(t) {
        return None;
    }
    let mut number = clean(t);
    let mut used = 1;
    if let Some(next) = tokens.get(i + 1) {
        let n = clean(next);
        if fold(&n) == "bis" {
            number = format!("{number} {n}");
            used = 2;
        } else if n.chars().count() == 1
            && n.chars().all(char::is_alphabetic)
            && !is_complement_word(&n)
        {
            number.push_str(&n);
            used = 2;
        }
    }
    Some((number, used))
}

#[derive(Default)]
struct Parser {
    street: Vec<String>,
    number: Option<String>,
    complement: Vec<String>,
}

impl Parser {
    /// One comma-separated segment; `first` when it is the first of `address1` (the
    /// street comes first there).
    fn segment(&mut self, segment: &str, first: bool) {
        let toks = tokens(segment);
        if first {
            let stop = toks
                .iter()
                .position(|t| is_number_word(t) || is_complement_word(t) || is_no_number_word(t))
                .unwrap_or(toks.len());
            self.street = toks[..stop].to_vec();
            self.rest(&toks[stop..]);
            return;
        }
        // A lone number is the house number ("Str. Lungă, 45").
        if self.number.is_none()
            && let Some((n, used)) = take_number(&toks, 0)
            && used == toks.len()
        {
            self.number = Some(n);
            return;
        }
        self.rest(&toks);
    }

    /// The number after a number word, complement parts from each complement word on,
    /// and free text as a part of its own.
    fn rest(&mut self, toks: &[String]) {
        let mut part: Vec<String> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            if is_number_word(t) {
                if self.number.is_none()
                    && let Some((n, used)) = take_number(toks, i + 1)
                {
                    self.flush(&mut part);
                    self.number = Some(n);
                    i += 1 + used;
                } else {
                    i += 1;
                }
                continue;
            }
            if is_no_number_word(t) {
                i += 1;
                continue;
            }
            if is_complement_word(t) {
                self.flush(&mut part);
            }
            part.push(t.clone());
            i += 1;
        }
        self.flush(&mut part);
    }

    fn flush(&mut self, rest: &mut Vec<String>) {
        if !rest.is_empty() {
            self.complement.push(join(rest));
            rest.clear();
        }
    }

    /// A number ending the street ("Str. Mihai Eminescu 15"), not a date's year.
    fn trailing_number(&mut self) {
        if self.number.is_some() || self.street.len() < 2 {
            return;
        }
        let n = self.street.len();
        // "12 A" at the end.
        let (start, used) =
            if n >= 3 && take_number(&self.street, n - 2).is_some_and(|(_, used)| used == 2) {
                (n - 2, 2)
            } else {
                (n - 1, 1)
            };
        let Some((number, u)) = take_number(&self.street, start) else {
            return;
        };
        if u != used || start == 0 {
            return;
        }
        let before = fold(&self.street[start - 1]);
        let is_year = number.len() == 4 && number.chars().all(|c| c.is_ascii_digit());
        if (MONTHS.contains(&before.as_str()) && is_year) || before == "km" {
            return;
        }
        // The street must keep a word that is not a street type ("Strada 15" is a name).
        if self.street[..start]
            .iter()
            .all(|w| is_street_type(w) || is_house_number(w))
        {
            return;
        }
        self.street.truncate(start);
        self.number = Some(number);
    }

    /// A number leading the street ("12 Strada Florilor").
    fn leading_number(&mut self) {
        if self.number.is_some() || self.street.len() < 3 || !is_street_type(&self.street[1]) {
            return;
        }
        if let Some((number, 1)) = take_number(&self.street, 0) {
            self.street.remove(0);
            self.number = Some(number);
        }
    }
}

fn join(tokens: &[String]) -> String {
    tokens
        .join(" ")
        .trim_matches(|c: char| matches!(c, ',' | ';') || c.is_whitespace())
        .to_owned()
}

/// Splits Shopify's `address1` (and `address2`) into street, house number and complement.
pub fn split_street(address1: &str, address2: Option<&str>) -> StreetParts {
    let mut p = Parser::default();
    for (i, seg) in address1
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        p.segment(seg, i == 0);
    }
    p.trailing_number();
    p.leading_number();
    if let Some(a2) = address2.map(str::trim).filter(|s| !s.is_empty()) {
        let before = p.complement.len();
        let had_number = p.number.is_some();
        for seg in a2
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            p.segment(seg, false);
        }
        // Free text in address2 ("lângă farmacie, poarta verde") stays as written.
        let number_here = !had_number && p.number.is_some();
        if !number_here
            && p.complement.len() > before + 1
            && !p.complement[before..]
                .iter()
                .any(|c| c.split_whitespace().next().is_some_and(is_complement_word))
        {
            p.complement.truncate(before);
            p.complement.push(a2.to_owned());
        }
    }
    let street = join(&p.street);
    StreetParts {
        street: (!street.is_empty()).then_some(street),
        number: p.number,
        complement: p.complement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(a1: &str, a2: Option<&str>) -> (Option<String>, Option<String>, Vec<String>) {
        let p = split_street(a1, a2);
        (p.street, p.number, p.complement)
    }

    fn check(a1: &str, a2: Option<&str>, street: &str, number: Option<&str>, complement: &[&str]) {
        let (s, n, c) = parts(a1, a2);
        assert_eq!(s.as_deref(), Some(street), "street of {a1:?} / {a2:?}");
        assert_eq!(n.as_deref(), number, "number of {a1:?} / {a2:?}");
        assert_eq!(c, complement, "complement of {a1:?} / {a2:?}");
    }

    #[test]
    fn the_number_after_a_number_word() {
        check(
            "Strada Lalelelor nr. 12, bl. A3, ap. 4",
            None,
            "Strada Lalelelor",
            Some("12"),
            &["bl. A3", "ap. 4"],
        );
        check("Bd. Unirii nr 5A", None, "Bd. Unirii", Some("5A"), &[]);
        check("Bd. Unirii nr.5A", None, "Bd. Unirii", Some("5A"), &[]);
        check("Bd. Unirii Nr:5", None, "Bd. Unirii", Some("5"), &[]);
        check(
            "Str. Avram Iancu nr12",
            None,
            "Str. Avram Iancu",
            Some("12"),
            &[],
        );
        check(
            "Calea Victoriei, nr. 12-14",
            None,
            "Calea Victoriei",
            Some("12-14"),
            &[],
        );
        check(
            "Aleea Rozelor număr 7",
            None,
            "Aleea Rozelor",
            Some("7"),
            &[],
        );
        check(
            "Aleea Rozelor numărul 7",
            None,
            "Aleea Rozelor",
            Some("7"),
            &[],
        );
        check(
            "Aleea Rozelor numarul 7",
            None,
            "Aleea Rozelor",
            Some("7"),
            &[],
        );
        check(
            "Str. Republicii nr. 10 bis",
            None,
            "Str. Republicii",
            Some("10 bis"),
            &[],
        );
        check(
            "Strada Observatorului nr. 34/B",
            None,
            "Strada Observatorului",
            Some("34/B"),
            &[],
        );
        check(
            "Str. Florilor NR. 3 A",
            None,
            "Str. Florilor",
            Some("3A"),
            &[],
        );
        check(
            "Strada 1 Decembrie 1918 nr. 3",
            None,
            "Strada 1 Decembrie 1918",
            Some("3"),
            &[],
        );
        check(
            "Str. 13 Septembrie, nr. 90",
            None,
            "Str. 13 Septembrie",
            Some("90"),
            &[],
        );
        check(
            "Sat Valea Mare nr. 123",
            None,
            "Sat Valea Mare",
            Some("123"),
            &[],
        );
        check("Strada Mare No. 8", None, "Strada Mare", Some("8"), &[]);
    }

    #[test]
    fn a_number_ending_the_street() {
        check(
            "Str. Mihai Eminescu 15",
            None,
            "Str. Mihai Eminescu",
            Some("15"),
            &[],
        );
        check(
            "Str. Memorandumului 28",
            None,
            "Str. Memorandumului",
            Some("28"),
            &[],
        );
        check(
            "Strada Observatorului 34/B",
            None,
            "Strada Observatorului",
            Some("34/B"),
            &[],
        );
        check(
            "Str. Florilor 12 A",
            None,
            "Str. Florilor",
            Some("12A"),
            &[],
        );
        check(
            "Calea 13 Septembrie 90",
            None,
            "Calea 13 Septembrie",
            Some("90"),
            &[],
        );
        check(
            "Bulevardul 1 Mai 5",
            None,
            "Bulevardul 1 Mai",
            Some("5"),
            &[],
        );
        check("Str. Lungă, 45", None, "Str. Lungă", Some("45"), &[]);
        check(
            "Șoseaua Pantelimon 250, bl. 3, sc. B, et. 4, ap. 112",
            None,
            "Șoseaua Pantelimon",
            Some("250"),
            &["bl. 3", "sc. B", "et. 4", "ap. 112"],
        );
        check(
            "12 Strada Florilor",
            None,
            "Strada Florilor",
            Some("12"),
            &[],
        );
    }

    #[test]
    fn the_complement_without_commas() {
        check(
            "Intrarea Teilor nr 3 bloc 4 scara B etaj 1 apartament 5",
            None,
            "Intrarea Teilor",
            Some("3"),
            &["bloc 4", "scara B", "etaj 1", "apartament 5"],
        );
        check(
            "Str. Avram Iancu nr.10 ap.2",
            None,
            "Str. Avram Iancu",
            Some("10"),
            &["ap. 2"],
        );
        check(
            "Str. Avram Iancu 10 ap.2",
            None,
            "Str. Avram Iancu",
            Some("10"),
            &["ap. 2"],
        );
        check(
            "Str. Mihai Viteazu nr. 5, et. 2",
            None,
            "Str. Mihai Viteazu",
            Some("5"),
            &["et. 2"],
        );
        check(
            "Str. Fabricii 1 Parter",
            None,
            "Str. Fabricii",
            Some("1"),
            &["Parter"],
        );
    }

    #[test]
    fn a_sector_is_complement_not_a_number() {
        check(
            "Str. Principală 12, sector 3",
            None,
            "Str. Principală",
            Some("12"),
            &["sector 3"],
        );
        check(
            "Str. Principală, Sector 3",
            None,
            "Str. Principală",
            None,
            &["Sector 3"],
        );
        check(
            "Str. Principală sectorul 4",
            None,
            "Str. Principală",
            None,
            &["sectorul 4"],
        );
    }

    #[test]
    fn a_date_named_street_has_no_number() {
        check(
            "Strada 1 Decembrie 1918",
            None,
            "Strada 1 Decembrie 1918",
            None,
            &[],
        );
        check(
            "Str. 22 Decembrie 1989",
            None,
            "Str. 22 Decembrie 1989",
            None,
            &[],
        );
        check("Strada 15", None, "Strada 15", None, &[]);
        check("DN1 km 23", None, "DN1 km 23", None, &[]);
    }

    #[test]
    fn address2_holds_the_number_or_the_complement() {
        check(
            "Strada Lalelelor",
            Some("nr. 12, ap. 4"),
            "Strada Lalelelor",
            Some("12"),
            &["ap. 4"],
        );
        check(
            "Strada Lalelelor",
            Some("12"),
            "Strada Lalelelor",
            Some("12"),
            &[],
        );
        check(
            "Strada Lalelelor 12",
            Some("bl. A3, ap. 4"),
            "Strada Lalelelor",
            Some("12"),
            &["bl. A3", "ap. 4"],
        );
        check(
            "Strada Lalelelor 12",
            Some("Ap 4"),
            "Strada Lalelelor",
            Some("12"),
            &["Ap 4"],
        );
        check(
            "Strada Lalelelor 12",
            Some("lângă farmacie, poarta verde"),
            "Strada Lalelelor",
            Some("12"),
            &["lângă farmacie, poarta verde"],
        );
        check(
            "Strada Lalelelor 12",
            Some("Cartier Grigorescu"),
            "Strada Lalelelor",
            Some("12"),
            &["Cartier Grigorescu"],
        );
    }

    #[test]
    fn addresses_without_a_number() {
        let p = split_street("Bl. A3, Sc. 2, Ap. 14", None);
        assert_eq!(p.street, None);
        assert_eq!(p.number, None);
        assert_eq!(p.complement, vec!["Bl. A3", "Sc. 2", "Ap. 14"]);
        let p = split_street("Strada Mare f.n.", None);
        assert_eq!((p.street.as_deref(), p.number), (Some("Strada Mare"), None));
        let p = split_street("Strada Mare fn", None);
        assert_eq!((p.street.as_deref(), p.number), (Some("Strada Mare"), None));
        let p = split_street("Strada Mare nr.", None);
        assert_eq!((p.street.as_deref(), p.number), (Some("Strada Mare"), None));
        let p = split_street("Strada Morii", None);
        assert_eq!(
            (p.street.as_deref(), p.number),
            (Some("Strada Morii"), None)
        );
        let p = split_street("", Some(""));
        assert_eq!(p, StreetParts::default());
    }

    #[test]
    fn a_village_address_is_just_the_number() {
        let p = split_street("Nr. 45", None);
        assert_eq!((p.street, p.number.as_deref()), (None, Some("45")));
        let p = split_street("Sat Sânpetru, nr. 210", None);
        assert_eq!(
            (p.street.as_deref(), p.number.as_deref()),
            (Some("Sat Sânpetru"), Some("210"))
        );
    }

    /// `(address1, address2, street, number, complement)`.
    type Example = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        &'static [&'static str],
    );

    /// Addresses as shoppers type them.
    const EXAMPLES: &[Example] = &[
        (
            "Strada Fabrica de Glucoză 23",
            Some("Sector 2, Bl. A5, Sc. 1, Ap. 3"),
            Some("Strada Fabrica de Glucoză"),
            Some("23"),
            &["Sector 2", "Bl. A5", "Sc. 1", "Ap. 3"],
        ),
        (
            "Bulevardul Ștefan cel Mare și Sfânt 4",
            None,
            Some("Bulevardul Ștefan cel Mare și Sfânt"),
            Some("4"),
            &[],
        ),
        (
            "Bd. Iuliu Maniu nr. 7, bl. 12, sc. 2, et. 3, ap. 45, sector 6",
            None,
            Some("Bd. Iuliu Maniu"),
            Some("7"),
            &["bl. 12", "sc. 2", "et. 3", "ap. 45", "sector 6"],
        ),
        (
            "str. Zorilor, nr.3A, ap.12",
            None,
            Some("str. Zorilor"),
            Some("3A"),
            &["ap. 12"],
        ),
        (
            "STR. REPUBLICII NR. 109",
            None,
            Some("STR. REPUBLICII"),
            Some("109"),
            &[],
        ),
        (
            "Calea Dorobanților 150-152",
            None,
            Some("Calea Dorobanților"),
            Some("150-152"),
            &[],
        ),
        (
            "Șos. Kiseleff nr 30",
            None,
            Some("Șos. Kiseleff"),
            Some("30"),
            &[],
        ),
        (
            "Aleea Castanilor 4/12",
            None,
            Some("Aleea Castanilor"),
            Some("4/12"),
            &[],
        ),
        (
            "Piața Trandafirilor 8",
            Some("et. 1"),
            Some("Piața Trandafirilor"),
            Some("8"),
            &["et. 1"],
        ),
        (
            "Strada Gheorghe Doja, nr 55",
            Some("Bloc 3, Scara A, Ap. 7"),
            Some("Strada Gheorghe Doja"),
            Some("55"),
            &["Bloc 3", "Scara A", "Ap. 7"],
        ),
        (
            "Str Avram Iancu Nr 12 Bl B2 Sc 1 Ap 5",
            None,
            Some("Str Avram Iancu"),
            Some("12"),
            &["Bl B2", "Sc 1", "Ap 5"],
        ),
        (
            "Strada Mihai Eminescu nr.15 bis",
            None,
            Some("Strada Mihai Eminescu"),
            Some("15 bis"),
            &[],
        ),
        (
            "Bulevardul 21 Decembrie 1989 nr. 104",
            None,
            Some("Bulevardul 21 Decembrie 1989"),
            Some("104"),
            &[],
        ),
        (
            "Bulevardul 21 Decembrie 1989 104",
            None,
            Some("Bulevardul 21 Decembrie 1989"),
            Some("104"),
            &[],
        ),
        ("Str. 1 Mai nr. 3", None, Some("Str. 1 Mai"), Some("3"), &[]),
        (
            "Comuna Florești, Sat Luna de Sus nr. 312",
            None,
            Some("Comuna Florești"),
            Some("312"),
            &["Sat Luna de Sus"],
        ),
        (
            "Strada Principală nr. 45, sat Sânpetru",
            None,
            Some("Strada Principală"),
            Some("45"),
            &["sat Sânpetru"],
        ),
        (
            "Calea Bucureștilor, Nr. 1B",
            Some("Corp C, parter"),
            Some("Calea Bucureștilor"),
            Some("1B"),
            &["Corp C", "parter"],
        ),
        (
            "Strada Lipscani 5; ap. 2",
            None,
            Some("Strada Lipscani"),
            Some("5"),
            &["ap. 2"],
        ),
        (
            "Strada Morii fără număr",
            None,
            Some("Strada Morii"),
            None,
            &[],
        ),
        (
            "Bloc D4, ap 12, Aleea Teilor",
            None,
            None,
            None,
            &["Bloc D4", "ap 12", "Aleea Teilor"],
        ),
    ];

    #[test]
    fn many_real_looking_addresses() {
        for (a1, a2, street, number, complement) in EXAMPLES {
            let p = split_street(a1, *a2);
            assert_eq!(p.street.as_deref(), *street, "street of {a1:?} / {a2:?}");
            assert_eq!(p.number.as_deref(), *number, "number of {a1:?} / {a2:?}");
            assert_eq!(p.complement, *complement, "complement of {a1:?} / {a2:?}");
        }
    }

    /// Every address the Shopify simulator generates (`{street} {n}`, the flat and the
    /// Bucharest sector in address2) splits into its street, number and complement.
    #[test]
    fn the_sandbox_addresses_split_into_street_and_number() {
        let mut rng = fastrand::Rng::with_seed(2026);
        for _ in 0..500 {
            let a = flux_sandbox::shopify::OrderDraft::random(&mut rng).address;
            let p = split_street(&a.address1, a.address2.as_deref());
            let (street, n) = a.address1.rsplit_once(' ').unwrap();
            assert_eq!(p.street.as_deref(), Some(street), "{a:?}");
            assert_eq!(p.number.as_deref(), Some(n), "{a:?}");
            let expected: Vec<String> = a
                .address2
                .iter()
                .flat_map(|l| l.split(',').map(|s| s.trim().to_owned()))
                .collect();
            assert_eq!(p.complement, expected, "{a:?}");
        }
    }
}
