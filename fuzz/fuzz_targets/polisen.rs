//! The Polisen events parser on any bytes, then counting and observations: never a panic; ids
//! are unique and the nation holds every event.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lofte_domain::statistics::{NATION, places::Places, polisen};

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
    let Ok(events) = polisen::parse(data, places()) else { return };
    let ids: std::collections::HashSet<i64> = events.events.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), events.events.len(), "duplicate ids");
    let counts = polisen::count(&events.events);
    let batch = polisen::observations(&counts);
    let nation: f64 = batch.observations.iter().filter(|o| o.region == NATION).filter_map(|o| o.value).sum();
    assert_eq!(nation, events.events.len() as f64);
});
