//! Round trip: a promise rendered as its public page (`/lofte/{id}`) and read back by the text
//! importer gives the same structure (activities in the order the page shows them: grouped by
//! owner within each theme).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use lofte_domain::{
    Activity, IsoDate, MunicipalityRef, Party, Period, PoliceAreaRef, Promise, PromiseDocument, Status, Theme,
};
use lofte_import::{Context, Format, KnownPoliceArea, import};
use proptest::prelude::*;

const MUNICIPALITIES: &[(&str, &str)] = &[
    ("1785", "Säffle"),
    ("1784", "Arvika"),
    ("1730", "Eda"),
    ("1765", "Årjäng"),
    ("1780", "Karlstad"),
    ("0114", "Upplands Väsby"),
];
const POLICE_AREAS: &[&str] = &["Arvika", "Karlstad", "Västra Värmland", "Södertälje"];
const WORDS: &[&str] = &[
    "trygghet",
    "polisen",
    "kommunen",
    "skolan",
    "centrum",
    "narkotika",
    "trafik",
    "föräldrar",
    "unga",
    "fotpatrullering",
    "belysning",
    "klotter",
    "samverkan",
    "dialog",
    "insatser",
    "vid",
    "i",
    "och",
    "med",
    "för",
    "att",
    "öka",
    "minska",
    "arbeta",
    "kvällar",
    "helger",
    "ANDT",
    "13 §",
    "(alkohol)",
    "A&O",
    "<b>",
    "\"citat\"",
    "25 %",
    "2024",
    "ska",
    "kommer",
    "Sök",
    "Uppföljning",
    "Polisen lovar att:",
    "Ansvarig: kommunen",
    "Medborgarlöfte 2023",
    "…",
    "Löfte:",
    "(Polisen)",
    "Gemensamma aktiviteter:",
    "Polisen:",
];
const OTHERS: &[&str] = &["Säffle Bostäder", "Region Värmland", "Lokala rådet i Gunnarskog", "Fritidsbanken"];

fn sentence(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), min..=max).prop_map(|ws| {
        let s = ws.join(" ");
        let mut chars = s.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => s,
        }
    })
}

fn paragraphs() -> impl Strategy<Value = String> {
    prop::collection::vec(sentence(3, 14).prop_map(|s| format!("{s}.")), 0..3).prop_map(|ps| ps.join("\n\n"))
}

fn owner() -> impl Strategy<Value = (Party, Option<String>)> {
    prop_oneof![
        Just((Party::Joint, None)),
        Just((Party::Municipality, None)),
        Just((Party::Police, None)),
        prop::sample::select(OTHERS).prop_map(|n| (Party::Other, Some(n.to_owned()))),
    ]
}

fn document() -> impl Strategy<Value = PromiseDocument> {
    let municipalities = prop::sample::subsequence(MUNICIPALITIES, 1..=3);
    let promise = (sentence(2, 12), owner(), prop::collection::vec(sentence(1, 8), 0..3))
        .prop_map(|(text, (party, party_name), focus_areas)| Promise { text, party, party_name, focus_areas });
    let activity =
        (sentence(1, 10), owner()).prop_map(|(text, (party, party_name))| Activity { text, party, party_name });
    let theme = (sentence(1, 4), prop::collection::vec(activity, 1..6))
        .prop_map(|(name, activities)| Theme { name, activities });
    let period = (prop::option::of(0i64..400), prop::option::of(1i64..400));
    (
        municipalities,
        prop::sample::select(POLICE_AREAS),
        2015i32..2031,
        period,
        prop::collection::vec(sentence(3, 20).prop_map(|s| format!("{s}.")), 0..3),
        prop::collection::vec(promise, 0..4),
        prop::collection::vec(theme, 0..4),
        (paragraphs(), paragraphs(), paragraphs()),
    )
        .prop_map(
            |(ms, area, year, (start, len), intro, promises, themes, (follow_up, communication, validity))| {
                let base = time::Date::from_calendar_date(year, time::Month::January, 1).unwrap_or(time::Date::MIN);
                let start_day = start.map(|d| base + time::Duration::days(d));
                let end_day = len.map(|l| start_day.unwrap_or(base) + time::Duration::days(l));
                PromiseDocument {
                    id: None,
                    municipalities: ms
                        .iter()
                        .map(|(c, n)| MunicipalityRef { code: (*c).into(), name: (*n).into() })
                        .collect(),
                    police_area: PoliceAreaRef { name: area.into() },
                    title: format!("Medborgarlöfte {year}"),
                    year,
                    period: Period { start: start_day.map(IsoDate), end: end_day.map(IsoDate) },
                    status: Status::Draft,
                    intro,
                    promises,
                    themes,
                    follow_up,
                    communication,
                    validity,
                    sha256: None,
                    signatures: vec![],
                    valid_from: None,
                    valid_to: None,
                    withdrawn_reason: None,
                }
            },
        )
}

fn context() -> Context {
    Context {
        municipalities: MUNICIPALITIES
            .iter()
            .map(|(c, n)| MunicipalityRef { code: (*c).into(), name: (*n).into() })
            .collect(),
        police_areas: POLICE_AREAS
            .iter()
            .map(|n| KnownPoliceArea { name: (*n).into(), municipality_codes: vec![] })
            .collect(),
        municipality: None,
        police_area: None,
        today: IsoDate(time::macros::date!(2026 - 11 - 25)),
    }
}

/// What the page shows: activities grouped by owner within a theme.
fn as_shown(mut doc: PromiseDocument) -> PromiseDocument {
    for t in &mut doc.themes {
        t.activities = t.groups().into_iter().flat_map(|(_, acts)| acts.into_iter().cloned()).collect();
    }
    doc
}

fn round_trip(doc: &PromiseDocument) -> PromiseDocument {
    let page = lofte_web::render_promise_page(doc, IsoDate(time::macros::date!(2026 - 11 - 25))).unwrap();
    import(page.as_bytes(), Format::Html, &context()).unwrap().document
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn a_rendered_page_reads_back_as_the_same_document(doc in document()) {
        prop_assert_eq!(round_trip(&doc), as_shown(doc));
    }
}

#[test]
fn the_demo_document_reads_back_from_its_page() {
    let mut demo: PromiseDocument = serde_json::from_str(include_str!("../../../data/demo/saffle-2024.json")).unwrap();
    demo.status = Status::InForce;
    let got = round_trip(&demo);
    let expected = PromiseDocument { id: None, status: Status::Draft, ..demo };
    assert_eq!(got, expected);
}
