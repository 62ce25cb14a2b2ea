use proptest::prelude::*;

use super::*;
use crate::promise::police_area_name;

const DEMO: &str = include_str!("../../../../data/demo/saffle-2024.json");

fn demo() -> PromiseDocument {
    let mut docs = parse_documents(DEMO).expect("demo parses");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

#[test]
fn the_demo_is_valid_and_round_trips() {
    let doc = demo();
    assert_eq!(doc.validate(), vec![]);
    assert_eq!(doc.themes.len(), 3);
    assert_eq!(doc.promises[0].focus_areas.len(), 2);
    let json = serde_json::to_string(&doc).expect("serialises");
    assert_eq!(parse_documents(&json).expect("parses again"), vec![doc]);
}

#[test]
fn syntax_errors_name_line_and_column() {
    let err = parse_documents("{\n  \"title\": \"x\",\n  oops\n}").expect_err("broken");
    assert_eq!(err.path, "rad 3, kolumn 3");
    assert!(err.message.starts_with("ogiltig JSON"), "{}", err.message);
}

#[test]
fn type_errors_name_the_path() {
    let broken = DEMO.replacen("\"party\": \"police\"", "\"party\": \"polisen\"", 1);
    let err = parse_documents(&broken).expect_err("unknown party");
    assert_eq!(err.path, "themes[0].activities[3].party");
    assert!(err.message.contains("polisen"), "{}", err.message);

    let unknown = DEMO.replacen("\"year\": 2024", "\"year\": 2024, \"yaer\": 1", 1);
    let err = parse_documents(&unknown).expect_err("unknown field");
    assert!(err.message.contains("okänt fält `yaer`"), "{}", err.message);

    let bad_date = DEMO.replacen("\"start\": null", "\"start\": \"2024-02-30\"", 1);
    let err = parse_documents(&bad_date).expect_err("impossible date");
    assert_eq!(err.path, "period.start");
}

#[test]
fn arrays_of_documents_are_read_and_indexed_in_errors() {
    let two = format!("[{DEMO}, {}]", DEMO.replacen("\"year\": 2024", "\"year\": \"2024\"", 1));
    let err = parse_documents(&two).expect_err("second is broken");
    assert_eq!(err.path, "[1].year");
    let ok = format!("[{DEMO}, {DEMO}]");
    assert_eq!(parse_documents(&ok).expect("two").len(), 2);
}

#[test]
fn validation_collects_every_problem_with_its_path() {
    let mut doc = demo();
    doc.title = "   ".into();
    doc.year = 1850;
    doc.municipalities.push(MunicipalityRef { code: "1785".into(), name: String::new() });
    doc.municipalities.push(MunicipalityRef { code: "12".into(), name: String::new() });
    doc.period = Period { start: IsoDate::parse("2024-06-01"), end: IsoDate::parse("2024-01-01") };
    doc.themes[1].activities[0].party = Party::Other;
    doc.themes[2].activities[1].party_name = Some("Säffle Bostäder".into());
    doc.intro[0].push('\0');
    let paths: Vec<String> = doc.normalized().validate().into_iter().map(|e| e.path).collect();
    assert_eq!(
        paths,
        [
            "municipalities[1].code",
            "municipalities[2].code",
            "title",
            "year",
            "period.end",
            "intro[0]",
            "themes[1].activities[0].party_name",
            "themes[2].activities[1].party_name",
        ]
    );
}

#[test]
fn other_parties_need_a_name() {
    let mut doc = demo();
    doc.themes[0].activities[0] = Activity {
        text: "Belysning i bostadsområden".into(),
        party: Party::Other,
        party_name: Some("Säffle Bostäder".into()),
    };
    assert_eq!(doc.validate(), vec![]);
}

#[test]
fn overlong_texts_are_refused() {
    let mut doc = demo();
    doc.themes[0].name = "x".repeat(MAX_NAME + 1);
    let errors = doc.validate();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains("för lång"));
}

#[test]
fn statuses_and_parties_have_stable_names() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).expect("json"), serde_json::json!(s.as_str()));
    }
    for p in Party::ALL {
        assert_eq!(Party::parse(p.as_str()), Some(p));
        assert_eq!(serde_json::to_value(p).expect("json"), serde_json::json!(p.as_str()));
    }
    assert!(!Status::Draft.is_public() && Status::InForce.is_public());
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse_documents(&s);
    }

    #[test]
    fn iso_dates_round_trip(days in 0i32..80_000) {
        let date = IsoDate(time::Date::from_julian_day(2_400_000 + days).expect("in range"));
        prop_assert_eq!(IsoDate::parse(&date.to_string()), Some(date));
    }

    #[test]
    fn normalised_valid_documents_stay_valid(extra in "[ \\t\\n]{0,3}") {
        let mut doc = demo();
        doc.title = format!("{extra}{}{extra}", doc.title);
        prop_assert_eq!(doc.normalized().validate(), vec![]);
    }
}

#[test]
fn activities_group_by_owner_in_a_fixed_order() {
    let doc = demo();
    let groups = doc.themes[0].groups();
    let owners: Vec<(Owner, usize)> = groups.iter().map(|(o, l)| (o.clone(), l.len())).collect();
    assert_eq!(owners, [(Owner::Joint, 2), (Owner::Municipality, 1), (Owner::Police, 2)]);

    let mixed = Theme {
        name: "Trygghet".into(),
        activities: vec![
            Activity { text: "a".into(), party: Party::Other, party_name: Some("Bostadsbolaget".into()) },
            Activity { text: "b".into(), party: Party::Police, party_name: None },
            Activity { text: "c".into(), party: Party::Other, party_name: Some("Regionen".into()) },
            Activity { text: "d".into(), party: Party::Other, party_name: Some("Bostadsbolaget".into()) },
        ],
    };
    let groups: Vec<(Owner, Vec<&str>)> =
        mixed.groups().into_iter().map(|(o, l)| (o, l.into_iter().map(|a| a.text.as_str()).collect())).collect();
    assert_eq!(
        groups,
        [
            (Owner::Police, vec!["b"]),
            (Owner::Other("Bostadsbolaget".into()), vec!["a", "d"]),
            (Owner::Other("Regionen".into()), vec!["c"]),
        ]
    );
}

#[test]
fn police_area_names_lose_the_word_lokalpolisomrade() {
    assert_eq!(police_area_name("Lokalpolisområde Arvika"), "Arvika");
    assert_eq!(police_area_name("  LOKALPOLISOMRÅDE  Arvika "), "Arvika");
    assert_eq!(police_area_name("LPO Södertälje"), "Södertälje");
    assert_eq!(police_area_name("Arvika"), "Arvika");
    assert_eq!(police_area_name("Lokalpolisområde"), "Lokalpolisområde");
}

#[test]
fn names_refuse_line_breaks_and_bidi_overrides() {
    let mut doc = demo();
    doc.police_area.name = "Arvika\nx".into();
    doc.themes[0].name = "ANDT\u{202E}".into();
    doc.intro[0] = "Två rader\nfungerar i löptext".into();
    doc.intro[1] = "men inte \u{2066}isolat".into();
    let paths: Vec<String> = doc.validate().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["police_area.name", "intro[1]", "themes[0].name"]);
}

#[test]
fn empty_items_are_reported_where_they_are() {
    let mut doc = demo();
    doc.intro = vec!["  ".into(), "a\u{7}b".into()];
    let paths: Vec<String> = doc.normalized().validate().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["intro[0]", "intro[1]"]);
}

#[test]
fn duplicate_keys_and_trailing_text_are_errors() {
    let dup = DEMO.replacen("\"year\": 2024", "\"year\": 2024, \"year\": 2025", 1);
    let err = parse_documents(&dup).expect_err("duplicate");
    assert!(err.message.contains("fältet finns två gånger"), "{}", err.message);
    let trailing = format!("{DEMO} x");
    assert!(parse_documents(&trailing).is_err());
    let eof = parse_documents("{\"title\": ").expect_err("eof");
    assert!(eof.message.contains("tar slut"), "{}", eof.message);
}

fn demo_value(change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(DEMO).expect("demo");
    change(&mut v);
    v.to_string()
}

#[test]
fn positional_arrays_are_refused() {
    let positional =
        r#"[[null,[["1785","Säffle"]],["Arvika"],"Positionellt",2024,[null,null],"draft",[],[],[],"","",""]]"#;
    let err = parse_documents(positional).expect_err("positional");
    assert_eq!(err.path, "[0]");
    let inner = demo_value(|v| v["police_area"] = serde_json::json!(["Arvika"]));
    assert_eq!(parse_documents(&inner).expect_err("inner").path, "police_area");
    let activity = demo_value(|v| v["themes"][1]["activities"][2] = serde_json::json!(["Fotpatrullering", "police"]));
    assert_eq!(parse_documents(&activity).expect_err("activity").path, "themes[1].activities[2]");
}

#[test]
fn messages_are_swedish() {
    let cases = [
        (r#"{"id" 1}"#.to_owned(), "väntade `:`"),
        (r#"{"id":nul}"#.to_owned(), "okänt ord"),
        (demo_value(|v| v["year"] = serde_json::json!(2024.5)), "decimaltal"),
        (demo_value(|v| v["id"] = serde_json::json!("x")), "ogiltigt UUID"),
        (demo_value(|v| v["police_area"] = serde_json::json!(1)), "ett objekt av typen"),
    ];
    for (json, expected) in cases {
        let err = parse_documents(&json).expect_err(&json);
        assert!(err.message.contains(expected), "{json}: {}", err.message);
        assert!(!err.message.contains("expected") && !err.message.contains("invalid"), "{}", err.message);
    }
}

#[test]
fn invisible_characters_are_not_a_name() {
    let mut doc = demo();
    doc.title = "\u{200B}".into();
    doc.police_area.name = "Arv\u{200B}ika".into();
    let paths: Vec<String> = doc.validate().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["police_area.name", "title"]);
}
