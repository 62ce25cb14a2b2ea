//! The importer on whole texts: the seed page must give exactly the Säffle demo document, and
//! every text in `tests/corpus/` (written for these tests, each covering variations real
//! published promises show) must give its snapshot (`tests/snapshots/`).

#![allow(clippy::expect_used)] // test helpers outside #[test] functions

use lofte_domain::{IsoDate, MunicipalityRef, PromiseDocument};
use lofte_import::{Context, Format, KnownPoliceArea, import};

pub fn context() -> Context {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/reference/");
    let csv = std::fs::read_to_string(format!("{root}swedish_admin_areas.csv")).expect("reference csv");
    let regions = std::fs::read_to_string(format!("{root}bra_2015_polisregioner.txt")).expect("regions");
    let data = lofte_domain::reference::parse(&csv, &regions).expect("reference data");
    Context {
        municipalities: data
            .municipalities
            .iter()
            .map(|m| MunicipalityRef { code: m.code.as_str().to_owned(), name: m.name.clone() })
            .collect(),
        police_areas: vec![KnownPoliceArea {
            name: "Arvika".into(),
            municipality_codes: vec!["1784".into(), "1785".into(), "1730".into(), "1765".into()],
        }],
        municipality: None,
        police_area: None,
        today: IsoDate::parse("2026-11-25").expect("date"),
    }
}

fn corpus_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/corpus/{name}", env!("CARGO_MANIFEST_DIR"))).expect("corpus file")
}

#[test]
fn the_seed_text_gives_exactly_the_demo_document() {
    let ctx = context();
    let got = import(&corpus_file("saffle-2024.txt"), Format::Text, &ctx).expect("imports");
    let demo: PromiseDocument =
        serde_json::from_str(include_str!("../../../data/demo/saffle-2024.json")).expect("demo json");
    let mut doc = got.historical(None, None, ctx.today);
    doc.id = demo.id;
    assert_eq!(doc, demo, "warnings: {:#?}", got.warnings);
    assert!(!got.truncated);
    // The only thing skipped is the search box.
    assert_eq!(got.warnings.iter().map(|w| w.excerpt.as_str()).collect::<Vec<_>>(), vec!["Sök"], "{:#?}", got.warnings);
}

#[test]
fn every_corpus_text_gives_its_snapshot() {
    let ctx = context();
    let dir = format!("{}/tests/corpus", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "the corpus has {} texts", names.len());
    for name in names {
        let bytes = corpus_file(&name);
        let format = Format::guess(Some(&name), &bytes);
        let got = import(&bytes, format, &ctx).unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::assert_json_snapshot!(name.clone(), got);
    }
}

/// Inputs the fuzzer found, kept so that they stay fixed: every text in the document is trimmed
/// and the document survives a JSON round trip.
#[test]
fn fuzz_findings_stay_fixed() {
    let ctx = context();
    let dir = format!("{}/tests/regressions", env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(&dir).expect("regressions dir") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        for format in [Format::Text, Format::Html] {
            let Ok(got) = import(&bytes, format, &ctx) else { continue };
            let doc = &got.document;
            let texts = doc
                .promises
                .iter()
                .map(|p| &p.text)
                .chain(doc.themes.iter().flat_map(|t| t.activities.iter().map(|a| &a.text)));
            for t in texts {
                assert_eq!(t.trim(), t);
            }
            let json = serde_json::to_string(doc).expect("json");
            assert_eq!(lofte_domain::parse_documents(&json).expect("parses").first(), Some(doc));
        }
    }
}
