//! The text importer (`lofte import text`, the staff import page) on any bytes, read both as
//! plain text and as a web page: a document or a clear error, never a panic; every line a
//! warning or an item points at exists; nothing invisible or forbidden gets into the
//! document; the document survives a JSON round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lofte_domain::{IsoDate, MunicipalityRef};
use lofte_import::{Context, Format, import};

fuzz_target!(|data: &[u8]| {
    let ctx = Context {
        municipalities: vec![
            MunicipalityRef { code: "1785".into(), name: "Säffle".into() },
            MunicipalityRef { code: "1784".into(), name: "Arvika".into() },
            MunicipalityRef { code: "1560".into(), name: "Vara".into() },
        ],
        police_areas: vec![],
        municipality: None,
        police_area: None,
        today: IsoDate::parse("2026-11-25").expect("date"),
    };
    for format in [Format::Text, Format::Html] {
        let Ok(got) = import(data, format, &ctx) else { continue };
        let lines = got.source_lines.len();
        for w in &got.warnings {
            assert!(w.line <= lines, "warning at line {} of {lines}", w.line);
        }
        for i in &got.items {
            assert!(i.line >= 1 && i.line <= lines, "item {} at line {} of {lines}", i.path, i.line);
        }
        let doc = &got.document;
        let texts = doc
            .intro
            .iter()
            .chain(doc.promises.iter().map(|p| &p.text))
            .chain(doc.promises.iter().flat_map(|p| &p.focus_areas))
            .chain(doc.themes.iter().map(|t| &t.name))
            .chain(doc.themes.iter().flat_map(|t| t.activities.iter().map(|a| &a.text)));
        for t in texts {
            assert!(!t.chars().any(|c| lofte_domain::forbidden_char(c) || c.is_control()), "{t:?}");
            assert_eq!(t.trim(), t);
        }
        let json = serde_json::to_string(doc).expect("serialises");
        let back = lofte_domain::parse_documents(&json).expect("parses back");
        assert_eq!(back.first(), Some(doc));
    }
});
