//! A small Romanian nomenclature shared by the courier simulators: the 42 counties (by
//! their diacritic-free names, as FAN and Cargus spell them) with their main localities.
//!
//! Real couriers know every village; the sandbox knows every county seat and the larger
//! towns around them, which is what realistic test data uses. Localities outside this list
//! are refused the way the real APIs refuse an unknown locality.

/// `(county id, county name, county abbreviation, localities)`; the first locality is the
/// county seat. Ids are FAN's (alphabetical, Bucuresti = 10, Ialomita = 24).
pub(crate) const COUNTIES: &[(u32, &str, &str, &[&str])] = &[
    (
        1,
        "Alba",
        "AB",
        &["Alba Iulia", "Aiud", "Blaj", "Sebes", "Cugir", "Ocna Mures"],
    ),
    (
        2,
        "Arad",
        "AR",
        &["Arad", "Ineu", "Lipova", "Pecica", "Chisineu-Cris"],
    ),
    (
        3,
        "Arges",
        "AG",
        &[
            "Pitesti",
            "Campulung",
            "Curtea de Arges",
            "Mioveni",
            "Stefanesti",
        ],
    ),
    (
        4,
        "Bacau",
        "BC",
        &["Bacau", "Onesti", "Moinesti", "Comanesti", "Buhusi"],
    ),
    (
        5,
        "Bihor",
        "BH",
        &["Oradea", "Salonta", "Marghita", "Beius", "Sanmartin"],
    ),
    (
        6,
        "Bistrita-Nasaud",
        "BN",
        &["Bistrita", "Beclean", "Nasaud", "Sangeorz-Bai"],
    ),
    (
        7,
        "Botosani",
        "BT",
        &["Botosani", "Dorohoi", "Darabani", "Saveni"],
    ),
    (8, "Braila", "BR", &["Braila", "Ianca", "Faurei"]),
    (
        9,
        "Brasov",
        "BV",
        &[
            "Brasov", "Fagaras", "Sacele", "Codlea", "Rasnov", "Zarnesti", "Ghimbav",
        ],
    ),
    (10, "Bucuresti", "B", &["Bucuresti"]),
    (11, "Buzau", "BZ", &["Buzau", "Ramnicu Sarat", "Nehoiu"]),
    (12, "Calarasi", "CL", &["Calarasi", "Oltenita"]),
    (
        13,
        "Caras-Severin",
        "CS",
        &["Resita", "Caransebes", "Oravita"],
    ),
    (
        14,
        "Cluj",
        "CJ",
        &[
            "Cluj-Napoca",
            "Turda",
            "Dej",
            "Campia Turzii",
            "Gherla",
            "Floresti",
            "Apahida",
        ],
    ),
    (
        15,
        "Constanta",
        "CT",
        &[
            "Constanta",
            "Mangalia",
            "Medgidia",
            "Navodari",
            "Ovidiu",
            "Eforie",
        ],
    ),
    (
        16,
        "Covasna",
        "CV",
        &["Sfantu Gheorghe", "Targu Secuiesc", "Covasna"],
    ),
    (
        17,
        "Dambovita",
        "DB",
        &["Targoviste", "Moreni", "Pucioasa", "Gaesti"],
    ),
    (
        18,
        "Dolj",
        "DJ",
        &["Craiova", "Bailesti", "Calafat", "Filiasi"],
    ),
    (19, "Galati", "GL", &["Galati", "Tecuci", "Targu Bujor"]),
    (
        20,
        "Giurgiu",
        "GR",
        &["Giurgiu", "Bolintin-Vale", "Mihailesti"],
    ),
    (21, "Gorj", "GJ", &["Targu Jiu", "Motru", "Rovinari"]),
    (
        22,
        "Harghita",
        "HR",
        &[
            "Miercurea Ciuc",
            "Odorheiu Secuiesc",
            "Gheorgheni",
            "Toplita",
        ],
    ),
    (
        23,
        "Hunedoara",
        "HD",
        &["Deva", "Hunedoara", "Petrosani", "Orastie", "Brad"],
    ),
    (
        24,
        "Ialomita",
        "IL",
        &["Slobozia", "Fetesti", "Urziceni", "Tandarei"],
    ),
    (
        25,
        "Iasi",
        "IS",
        &[
            "Iasi",
            "Pascani",
            "Targu Frumos",
            "Harlau",
            "Valea Lupului",
            "Miroslava",
        ],
    ),
    (
        26,
        "Ilfov",
        "IF",
        &[
            "Buftea",
            "Voluntari",
            "Otopeni",
            "Popesti-Leordeni",
            "Chiajna",
            "Bragadiru",
            "Pantelimon",
            "Magurele",
            "Corbeanca",
            "Snagov",
        ],
    ),
    (
        27,
        "Maramures",
        "MM",
        &["Baia Mare", "Sighetu Marmatiei", "Borsa", "Viseu de Sus"],
    ),
    (
        28,
        "Mehedinti",
        "MH",
        &["Drobeta-Turnu Severin", "Orsova", "Strehaia"],
    ),
    (
        29,
        "Mures",
        "MS",
        &["Targu Mures", "Reghin", "Sighisoara", "Tarnaveni", "Ludus"],
    ),
    (30, "Neamt", "NT", &["Piatra Neamt", "Roman", "Targu Neamt"]),
    (31, "Olt", "OT", &["Slatina", "Caracal", "Bals", "Corabia"]),
    (
        32,
        "Prahova",
        "PH",
        &[
            "Ploiesti", "Campina", "Sinaia", "Busteni", "Mizil", "Baicoi",
        ],
    ),
    (33, "Salaj", "SJ", &["Zalau", "Simleu Silvaniei", "Jibou"]),
    (
        34,
        "Satu Mare",
        "SM",
        &["Satu Mare", "Carei", "Negresti-Oas"],
    ),
    (
        35,
        "Sibiu",
        "SB",
        &["Sibiu", "Medias", "Cisnadie", "Avrig", "Selimbar"],
    ),
    (
        36,
        "Suceava",
        "SV",
        &[
            "Suceava",
            "Falticeni",
            "Radauti",
            "Campulung Moldovenesc",
            "Vatra Dornei",
        ],
    ),
    (
        37,
        "Teleorman",
        "TR",
        &[
            "Alexandria",
            "Rosiorii de Vede",
            "Turnu Magurele",
            "Zimnicea",
        ],
    ),
    (
        38,
        "Timis",
        "TM",
        &[
            "Timisoara",
            "Lugoj",
            "Sannicolau Mare",
            "Jimbolia",
            "Dumbravita",
            "Giroc",
        ],
    ),
    (
        39,
        "Tulcea",
        "TL",
        &["Tulcea", "Babadag", "Macin", "Isaccea"],
    ),
    (
        40,
        "Valcea",
        "VL",
        &["Ramnicu Valcea", "Dragasani", "Calimanesti", "Horezu"],
    ),
    (
        41,
        "Vaslui",
        "VS",
        &["Vaslui", "Barlad", "Husi", "Negresti"],
    ),
    (
        42,
        "Vrancea",
        "VN",
        &["Focsani", "Adjud", "Marasesti", "Panciu"],
    ),
];

/// Folds Romanian diacritics (both forms) and case, and trims.
pub(crate) fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            'ă' | 'â' | 'Ă' | 'Â' => 'a',
            'î' | 'Î' => 'i',
            'ș' | 'ş' | 'Ș' | 'Ş' => 's',
            'ț' | 'ţ' | 'Ț' | 'Ţ' => 't',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

/// The county (id, canonical name, abbreviation) named `name` (by name or abbreviation).
pub(crate) fn county(name: &str) -> Option<(u32, &'static str, &'static str)> {
    let f = fold(name);
    COUNTIES
        .iter()
        .find(|(_, n, abbr, _)| fold(n) == f || fold(abbr) == f)
        .map(|(id, n, abbr, _)| (*id, *n, *abbr))
}

/// The canonical name of locality `name` in county `county_name`, with a stable id.
pub(crate) fn locality(county_name: &str, name: &str) -> Option<(u32, &'static str)> {
    let f = fold(name);
    let (cid, _, _) = county(county_name)?;
    COUNTIES
        .iter()
        .find(|(id, ..)| *id == cid)
        .and_then(|(_, _, _, locs)| {
            locs.iter()
                .position(|l| fold(l) == f)
                .map(|i| (cid * 100 + u32::try_from(i).unwrap_or(0), locs[i]))
        })
}

/// Every locality of a county: `(id, name)`.
pub(crate) fn localities(county_name: &str) -> Vec<(u32, &'static str)> {
    let Some((cid, _, _)) = county(county_name) else {
        return Vec::new();
    };
    COUNTIES
        .iter()
        .filter(|(id, ..)| *id == cid)
        .flat_map(|(_, _, _, locs)| {
            locs.iter()
                .enumerate()
                .map(move |(i, l)| (cid * 100 + u32::try_from(i).unwrap_or(0), *l))
        })
        .collect()
}

/// Whether `phone` looks like a Romanian phone number (9 to 12 digits once separators and
/// a leading `+` are removed).
pub(crate) fn plausible_phone(phone: &str) -> bool {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let only_allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/'));
    only_allowed && (9..=13).contains(&digits.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_diacritics_and_case() {
        assert_eq!(county("Iași").map(|c| c.1), Some("Iasi"));
        assert_eq!(county("is").map(|c| c.1), Some("Iasi"));
        assert_eq!(
            locality("Iasi", "Târgu Frumos").map(|l| l.1),
            Some("Targu Frumos")
        );
        assert_eq!(locality("Cluj", "Iasi"), None);
        assert!(plausible_phone("+40 720 000 000"));
        assert!(!plausible_phone("call me"));
        assert_eq!(localities("Bucuresti").len(), 1);
    }
}
