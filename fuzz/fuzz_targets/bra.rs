//! The Brå table parser (CSV in UTF-8 or Windows-1252, xlsx) on any bytes, with and without the
//! name and year options: a batch or an error, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lofte_domain::statistics::{
    Level,
    bra::{self, BraOptions},
    places::Places,
    valid_period,
};

const CSV: &str = include_str!("../../data/reference/swedish_admin_areas.csv");
const BRA: &str = include_str!("../../data/reference/bra_2015_polisregioner.txt");

fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| match lofte_domain::reference::parse(CSV, BRA) {
        Ok(reference) => Places::new(&reference),
        Err(e) => panic!("reference data: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let with_options = BraOptions { name: Some("Anmälda brott totalt".into()), year: Some(2024) };
    for options in [BraOptions::default(), with_options] {
        let Ok(batch) = bra::parse(data, places(), &options) else { continue };
        for o in &batch.observations {
            assert!(o.indicator.starts_with("bra:"));
            assert!(valid_period(&o.period), "{}", o.period);
            assert!(Level::of(&o.region).is_some(), "{}", o.region);
        }
    }
});
