//! The reference-data parsers (municipality CSV, police-region text) and the slug/sort helpers:
//! any input gives a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CSV: &str = include_str!("../../data/reference/swedish_admin_areas.csv");
const BRA: &str = include_str!("../../data/reference/bra_2015_polisregioner.txt");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = lofte_domain::reference::parse(text, BRA);
    let _ = lofte_domain::reference::parse(CSV, text);
    let slug = lofte_domain::slugify(text);
    assert_eq!(lofte_domain::slugify(&slug), slug);
    let _ = lofte_domain::sv_sort_key(text);
    let _ = lofte_domain::MunicipalityCode::parse(text);
});
