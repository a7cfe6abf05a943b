//! FAN Courier's static data: services, options, event codes and pickup points.

/// `(id, name, description)` of the services the sandbox account can use.
pub(crate) const SERVICES: &[(u32, &str, &str)] = &[
    (1, "Standard", "Serviciu standard"),
    (4, "Cont Colector", "Ramburs in cont colector"),
    (27, "FANBox", "Livrare in FANbox"),
    (
        28,
        "FANBox Cont Colector",
        "Livrare in FANbox, ramburs in cont colector",
    ),
    (31, "CollectPoint", "Livrare in punct PayPoint"),
    (
        32,
        "CollectPoint Cont Colector",
        "Livrare in punct PayPoint, ramburs in cont colector",
    ),
];

/// `(letter, Romanian name, price RON without VAT)` of the options.
pub(crate) const OPTIONS: &[(&str, &str, &str)] = &[
    ("A", "Deschidere la livrare", "2.50"),
    ("B", "Retur document semnat (oPOD)", "3.00"),
    ("S", "Livrare sambata", "10.00"),
    ("X", "ePOD", "0.50"),
    ("W", "Predare in FANbox", "0.00"),
    ("D", "Livrare la birou FAN", "0.00"),
];

/// Which options each service accepts.
pub(crate) fn options_of(service: &str) -> &'static [&'static str] {
    match service {
        "Standard" | "Cont Colector" => &["A", "B", "S", "X", "W", "D"],
        _ => &["X", "W"],
    }
}

/// `(code, Romanian name, English name)` of the event codes the simulator emits, plus the
/// common exceptional ones listed by `reports/awb-events`.
pub(crate) const EVENTS: &[(&str, &str, &str)] = &[
    ("C0", "Expeditie ridicata", "Shipment picked up"),
    ("H3", "Expeditie sortata pe banda", "Shipment sorted"),
    (
        "H0",
        "Expeditie in tranzit spre depozitul de destinatie",
        "Shipment in transit to the destination hub",
    ),
    (
        "C1",
        "Expeditie preluata spre livrare",
        "Shipment taken over for delivery",
    ),
    ("S1", "Expeditie in livrare", "Shipment out for delivery"),
    ("S2", "Livrat", "Delivered"),
    ("S3", "Destinatar absent", "Recipient absent"),
    ("S7", "Refuz primire", "Delivery refused"),
    (
        "S8",
        "Expeditie in asteptare la FANbox",
        "Waiting in the FANbox",
    ),
    ("S16", "Retur la termen", "Returned at term"),
    ("S38", "AWB neexpediat", "AWB not shipped"),
];

/// The name of an event code in `language` (`ro` or `en`).
pub(crate) fn event_name(code: &str, language: &str) -> &'static str {
    EVENTS
        .iter()
        .find(|(c, ..)| *c == code)
        .map_or("", |(_, ro, en)| if language == "en" { en } else { ro })
}

/// A FANbox locker, PayPoint shop or FAN office.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    pub(crate) id: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) county: &'static str,
    pub(crate) locality: &'static str,
    pub(crate) street: &'static str,
    pub(crate) street_no: &'static str,
    pub(crate) zip: &'static str,
    pub(crate) latitude: &'static str,
    pub(crate) longitude: &'static str,
}

macro_rules! point {
    ($id:literal, $kind:literal, $name:literal, $desc:literal, $county:literal, $loc:literal, $street:literal, $no:literal, $zip:literal, $lat:literal, $lon:literal) => {
        Point {
            id: $id,
            kind: $kind,
            name: $name,
            description: $desc,
            county: $county,
            locality: $loc,
            street: $street,
            street_no: $no,
            zip: $zip,
            latitude: $lat,
            longitude: $lon,
        }
    };
}

/// Every pickup point the sandbox knows.
pub(crate) const POINTS: &[Point] = &[
    point!(
        "F1011137",
        "fanbox",
        "FANbox Kaufland Tulcea",
        "Langa intrarea principala",
        "Tulcea",
        "Tulcea",
        "Str. Babadag",
        "1",
        "820123",
        "45.17240",
        "28.79150"
    ),
    point!(
        "F1022000",
        "fanbox",
        "FANbox Iasi Mall",
        "",
        "Iasi",
        "Iasi",
        "Bd. Tudor Vladimirescu",
        "2",
        "700305",
        "47.15000",
        "27.58000"
    ),
    point!(
        "F1000101",
        "fanbox",
        "FANbox Mega Image Unirii",
        "In parcare",
        "Bucuresti",
        "Bucuresti",
        "Bd. Unirii",
        "45",
        "030823",
        "44.42680",
        "26.10560"
    ),
    point!(
        "F1000102",
        "fanbox",
        "FANbox Lidl Titan",
        "Langa bancomat",
        "Bucuresti",
        "Bucuresti",
        "Bd. Nicolae Grigorescu",
        "14",
        "031472",
        "44.42330",
        "26.15920"
    ),
    point!(
        "F1014001",
        "fanbox",
        "FANbox Iulius Mall Cluj",
        "Parcare subterana",
        "Cluj",
        "Cluj-Napoca",
        "Str. Alexandru Vaida Voevod",
        "53B",
        "400436",
        "46.77150",
        "23.62630"
    ),
    point!(
        "F1038001",
        "fanbox",
        "FANbox Timisoara Centru",
        "",
        "Timis",
        "Timisoara",
        "Str. Paris",
        "2A",
        "300003",
        "45.75370",
        "21.22570"
    ),
    point!(
        "P2000101",
        "paypoint",
        "PayPoint Tabac Victoriei",
        "",
        "Bucuresti",
        "Bucuresti",
        "Calea Victoriei",
        "100",
        "010093",
        "44.44290",
        "26.09660"
    ),
    point!(
        "P2014001",
        "paypoint",
        "PayPoint Cluj Marasti",
        "",
        "Cluj",
        "Cluj-Napoca",
        "Str. Aurel Vlaicu",
        "3",
        "400582",
        "46.78060",
        "23.61340"
    ),
    point!(
        "P2025001",
        "paypoint",
        "PayPoint Iasi Podu Ros",
        "",
        "Iasi",
        "Iasi",
        "Sos. Nicolina",
        "1",
        "700712",
        "47.15310",
        "27.58700"
    ),
    point!(
        "O1000001",
        "office",
        "FAN Courier Bucuresti Otopeni",
        "Sediu central",
        "Ilfov",
        "Otopeni",
        "Str. Polona",
        "1",
        "075100",
        "44.55010",
        "26.07160"
    ),
    point!(
        "O1014001",
        "office",
        "FAN Courier Cluj-Napoca",
        "",
        "Cluj",
        "Cluj-Napoca",
        "Str. Traian Vuia",
        "208",
        "400397",
        "46.77590",
        "23.66140"
    ),
    point!(
        "O1025001",
        "office",
        "FAN Courier Iasi",
        "",
        "Iasi",
        "Iasi",
        "Sos. Pacurari",
        "138",
        "700545",
        "47.17910",
        "27.53890"
    ),
];
