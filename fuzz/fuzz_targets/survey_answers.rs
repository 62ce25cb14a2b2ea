//! The survey-answer CSV importer on any bytes: the input is `MAPPING\n===\nCSV` (or just a CSV,
//! read with the automatic mapping). It reads rows or reports problems, never panics; the rows
//! it reads are valid answers, and Löfte's export of them reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lofte_domain::survey::csv_import::{export, parse_mapping, read};
use lofte_domain::survey::safety_survey_template;

fuzz_target!(|data: &[u8]| {
    let q = safety_survey_template();
    let areas = vec![("centrum".to_owned(), "Centrum".to_owned()), ("norr".to_owned(), "Norr".to_owned())];
    let split = data.windows(5).position(|w| w == b"\n===\n");
    let (mapping, csv) = match split {
        Some(i) => match parse_mapping(&data[..i]) {
            Ok(m) => (Some(m), &data[i + 5..]),
            Err(_) => return,
        },
        None => (None, data),
    };
    let Ok(first) = read(&q, &areas, csv, mapping.as_ref()) else { return };
    let day = time::macros::date!(2026 - 03 - 01);
    let rows: Vec<_> = first
        .rows
        .iter()
        .map(|r| {
            let mut a = r.answers.clone();
            a.texts.clear();
            assert!(!a.tally_keys(&q).is_empty() || a.is_empty());
            (day, a)
        })
        .filter(|(_, a)| !a.is_empty())
        .collect();
    let bytes = export(&q, &rows).expect("export");
    let back = read(&q, &areas, &bytes, None).expect("the export reads back");
    let back: Vec<_> = back.rows.into_iter().map(|r| (r.answered_on.expect("day"), r.answers)).collect();
    assert_eq!(back, rows);
});
