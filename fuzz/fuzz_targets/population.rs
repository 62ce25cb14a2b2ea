//! The PxWeb population-table parser on any bytes: a table or an error, never a panic; on a
//! table, the age-group sums for each of its regions and years also never panic. The statistics
//! importer of SCB files (`lofte import scb`: the same JSON, or SCB's CSV per municipality) too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lofte_domain::population::{by_age_and_sex, by_age_and_sex_in_year, parse};

const GROUPS: [(u32, Option<u32>); 6] =
    [(16, Some(24)), (25, Some(44)), (45, Some(64)), (65, None), (0, None), (0, Some(0))];

fuzz_target!(|data: &[u8]| {
    for year in [None, Some(2024)] {
        if let Ok(batch) = lofte_domain::statistics::scb::parse(data, year) {
            assert!(batch.observations.iter().all(|o| lofte_domain::statistics::valid_period(&o.period)));
        }
    }
    let Ok(table) = parse(data) else { return };
    assert!(!table.rows.is_empty());
    let regions: std::collections::BTreeSet<&str> = table.rows.iter().map(|r| r.region.as_str()).collect();
    for region in regions.into_iter().take(5) {
        let _ = by_age_and_sex(&table, region, &GROUPS);
        for year in table.years(region).into_iter().take(3) {
            if let Ok(sums) = by_age_and_sex_in_year(&table, region, year, &GROUPS) {
                assert_eq!(sums.len(), GROUPS.len());
            }
        }
    }
});
