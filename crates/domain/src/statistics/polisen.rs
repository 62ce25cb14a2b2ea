//! Polisen's published events (`https://polisen.se/api/events`, a JSON array), placed in a
//! municipality or county and counted per type and month.
//!
//! These are a press-oriented selection of events, **not** crime statistics; the indicators say
//! so in their description.
//!
//! Placing an event: `location.name` is a municipality or a county name. For a county (all
//! events since 2026), the municipality is the text of `name` after its last `", "` when that is
//! a municipality of the same county; otherwise the event stays at county level. Summary types
//! (`Sammanfattning …`) are always at county level.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::places::{Place, Places};
use super::{
    Batch, Better, Gender, ImportError, Indicator, NATION, Observation, Source, Unit, push_indicator, read_json,
};

/// One event, placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    /// `YYYY-MM-DD` of `datetime` (publication time, Swedish local time).
    pub date: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The event type, white space normalised (`Trafikolycka, singel`).
    pub kind: String,
    /// County code (`17`).
    pub county: String,
    /// Municipality code (`1785`), or none for an event at county level.
    pub municipality: Option<String>,
}

/// The events of a file, de-duplicated by id, and what was skipped (Swedish).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Events {
    pub events: Vec<Event>,
    pub warnings: Vec<String>,
}

/// The number of events of one type, month and place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventCount {
    pub kind: String,
    pub month: String,
    pub county: String,
    pub municipality: Option<String>,
    pub count: u64,
}

/// Reads Polisen's event array. Records are numbered from 1 in errors: `post 3 (id 588163)`.
pub fn parse(bytes: &[u8], places: &Places) -> Result<Events, ImportError> {
    let Value::Array(items) = read_json(bytes)? else {
        return Err(ImportError::new("dokument", "väntade en JSON-lista med händelser från Polisen"));
    };
    let mut out = Events::default();
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let at = |id: Option<i64>| match id {
            Some(id) => format!("post {} (id {id})", i + 1),
            None => format!("post {}", i + 1),
        };
        let Value::Object(record) = item else {
            return Err(ImportError::new(at(None), "posten är inte ett JSON-objekt"));
        };
        let id = match record.get("id") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        let Some(id) = id else {
            return Err(ImportError::new(at(None), "fältet \"id\" saknas eller är inte ett heltal"));
        };
        let at = at(Some(id));
        let text = |field: &str| -> Result<&str, ImportError> {
            record
                .get(field)
                .and_then(Value::as_str)
                .ok_or_else(|| ImportError::new(at.clone(), format!("fältet \"{field}\" saknas eller är inte en text")))
        };
        let datetime = text("datetime")?;
        let Some((date, month)) = date_of(datetime) else {
            return Err(ImportError::new(
                at,
                format!("ogiltig tidpunkt \"{datetime}\" (väntade till exempel \"2025-06-07 7:32:06 +02:00\")"),
            ));
        };
        let kind = text("type")?.split_whitespace().collect::<Vec<_>>().join(" ");
        if kind.is_empty() {
            return Err(ImportError::new(at, "händelsen saknar typ"));
        }
        let Some(location) = record.get("location").and_then(|l| l.get("name")).and_then(Value::as_str) else {
            return Err(ImportError::new(at, "fältet \"location.name\" saknas eller är inte en text"));
        };
        let name = record.get("name").and_then(Value::as_str).unwrap_or("");
        if !seen.insert(id) {
            continue;
        }
        let summary = kind.starts_with("Sammanfattning");
        let (county, municipality) = match places.lookup(location) {
            Some(Place::Municipality { code, county }) => (county, (!summary).then_some(code)),
            Some(Place::County(county)) => {
                let from_name = name
                    .rsplit_once(", ")
                    .and_then(|(_, suffix)| places.municipality(suffix))
                    .filter(|code| places.county_of(code) == Some(county.as_str()))
                    .filter(|_| !summary)
                    .map(str::to_owned);
                (county, from_name)
            }
            Some(Place::Nation) | None => {
                out.warnings.push(format!(
                    "Händelse {id} hoppades över: platsen \"{location}\" är varken en kommun eller ett län"
                ));
                continue;
            }
        };
        out.events.push(Event { id, date, month, kind, county, municipality });
    }
    Ok(out)
}

/// `"2025-06-07 7:32:06 +02:00"` → (`2025-06-07`, `2025-06`); `None` unless the whole text has
/// that shape (hour with one or two digits).
fn date_of(datetime: &str) -> Option<(String, String)> {
    let mut parts = datetime.trim().split(' ');
    let (date, clock, offset) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u32>().is_ok()
    };
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || !digits(y, 4, 4) || !digits(m, 2, 2) || !digits(day, 2, 2) {
        return None;
    }
    let month: u8 = m.parse().ok()?;
    let year: i32 = y.parse().ok()?;
    let month_enum = time::Month::try_from(month).ok()?;
    time::Date::from_calendar_date(year, month_enum, day.parse().ok()?).ok()?;
    let mut c = clock.split(':');
    let (h, min, s) = (c.next()?, c.next()?, c.next()?);
    if c.next().is_some() || !digits(h, 1, 2) || !digits(min, 2, 2) || !digits(s, 2, 2) {
        return None;
    }
    if h.parse::<u32>().ok()? > 23 || min.parse::<u32>().ok()? > 59 || s.parse::<u32>().ok()? > 60 {
        return None;
    }
    let (oh, om) = offset.strip_prefix(['+', '-'])?.split_once(':')?;
    if !digits(oh, 2, 2) || !digits(om, 2, 2) {
        return None;
    }
    let month_text = format!("{y}-{m}");
    super::valid_period(&month_text).then(|| (date.to_owned(), month_text))
}

/// Joins events of several downloads (which overlap: the API serves the latest ~500), keeping
/// the first event of each id.
pub fn merge(events: impl IntoIterator<Item = Event>) -> Vec<Event> {
    let mut seen = HashSet::new();
    events.into_iter().filter(|e| seen.insert(e.id)).collect()
}

/// Counts events per type, month, county and municipality (none = county level), sorted.
pub fn count(events: &[Event]) -> Vec<EventCount> {
    let mut counts: BTreeMap<(&str, &str, &str, Option<&str>), u64> = BTreeMap::new();
    for e in events {
        *counts.entry((&e.kind, &e.month, &e.county, e.municipality.as_deref())).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((kind, month, county, municipality), count)| EventCount {
            kind: kind.to_owned(),
            month: month.to_owned(),
            county: county.to_owned(),
            municipality: municipality.map(str::to_owned),
            count,
        })
        .collect()
}

/// Types that are not incidents (summaries, checks, operations): no direction is better.
const NEUTRAL_KINDS: [&str; 6] =
    ["Sammanfattning", "Uppdatering", "Övrigt", "Trafikkontroll", "Kontroll person/fordon", "Polisinsats/kommendering"];

/// The indicator of an event type: `polisen:<type>`.
pub fn indicator(kind: &str) -> Indicator {
    Indicator {
        key: format!("polisen:{kind}"),
        name: kind.to_owned(),
        unit: Unit::Count,
        source: Source::Polisen,
        description: format!(
            "Polisens händelser (urval) — inte brottsstatistik. Händelser av typen {kind} som Polisen publicerat."
        ),
        better: if NEUTRAL_KINDS.iter().any(|k| kind.starts_with(k)) { Better::Neutral } else { Better::Lower },
    }
}

/// Observations per type and month: each municipality with events (its own events), each county
/// with events (all its events, placed in a municipality or not) and the nation (all events).
/// Places without events get no observation.
pub fn observations(counts: &[EventCount]) -> Batch {
    let mut sums: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
    for c in counts {
        if let Some(m) = &c.municipality {
            *sums.entry((&c.kind, &c.month, m)).or_default() += c.count;
        }
        *sums.entry((&c.kind, &c.month, &c.county)).or_default() += c.count;
        *sums.entry((&c.kind, &c.month, NATION)).or_default() += c.count;
    }
    let mut batch = Batch::default();
    for ((kind, month, region), n) in sums {
        push_indicator(&mut batch.indicators, indicator(kind));
        batch.observations.push(Observation {
            indicator: format!("polisen:{kind}"),
            region: region.to_owned(),
            period: month.to_owned(),
            gender: Gender::Total,
            value: Some(n as f64),
            status: String::new(),
        });
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::places::tests::places;

    const FIRST40: &str = include_str!("../../tests/fixtures/polisen/events_2025-06-07_first40.json");
    const MAY_2025: &str = include_str!("../../tests/fixtures/polisen/events_2025-05.json");
    const MAY_2026: &str = include_str!("../../tests/fixtures/polisen/events_2026-05.json");

    fn value(batch: &Batch, kind: &str, region: &str, month: &str) -> Option<f64> {
        batch
            .observations
            .iter()
            .find(|o| o.indicator == format!("polisen:{kind}") && o.region == region && o.period == month)
            .and_then(|o| o.value)
    }

    #[test]
    fn first_forty_real_events() {
        let events = parse(FIRST40.as_bytes(), &places()).expect("parses");
        assert_eq!(events.events.len(), 40);
        assert!(events.warnings.is_empty(), "{:?}", events.warnings);
        let kristianstad = events.events.iter().find(|e| e.id == 588163).expect("588163");
        assert_eq!(
            kristianstad,
            &Event {
                id: 588163,
                date: "2025-06-07".into(),
                month: "2025-06".into(),
                kind: "Trafikolycka".into(),
                county: "12".into(),
                municipality: Some("1290".into()),
            }
        );
        // Summaries stay at county level.
        let summaries: Vec<_> = events.events.iter().filter(|e| e.kind.starts_with("Sammanfattning")).collect();
        assert!(!summaries.is_empty());
        assert!(summaries.iter().all(|e| e.municipality.is_none()));
    }

    #[test]
    fn may_2026_is_placed_from_the_name_suffix() {
        let events = parse(MAY_2026.as_bytes(), &places()).expect("parses");
        assert_eq!(events.events.len(), 1086);
        assert!(events.warnings.is_empty(), "{:?}", events.warnings);
        let placed = events.events.iter().filter(|e| e.municipality.is_some()).count();
        // 785 spelt exactly, 3 more as "Östra göinge" (case-insensitive).
        assert_eq!(placed, 788, "most events get a municipality");
        assert!(events.events.iter().all(|e| e.month == "2026-05"));
        for e in events.events.iter().filter(|e| e.kind.starts_with("Sammanfattning")) {
            assert_eq!(e.municipality, None, "summary {} at county level", e.id);
        }
        let counts = count(&events.events);
        let saffle: u64 = counts.iter().filter(|c| c.municipality.as_deref() == Some("1785")).map(|c| c.count).sum();
        assert_eq!(saffle, 2);
        let batch = observations(&counts);
        let total: f64 = batch.observations.iter().filter(|o| o.region == "00").filter_map(|o| o.value).sum();
        assert_eq!(total, 1086.0);
        // A county holds all its events: municipality-placed and county-level.
        let varmland: f64 = batch.observations.iter().filter(|o| o.region == "17").filter_map(|o| o.value).sum();
        let in_varmland = events.events.iter().filter(|e| e.county == "17").count();
        assert_eq!(varmland, in_varmland as f64);
        assert!(batch.observations.iter().all(|o| o.gender == Gender::Total && o.status.is_empty()));
    }

    #[test]
    fn may_2025_mostly_names_municipalities() {
        let events = parse(MAY_2025.as_bytes(), &places()).expect("parses");
        assert_eq!(events.events.len(), 2163);
        // Lower-case spellings such as "Upplands väsby" are found too.
        assert!(events.warnings.is_empty(), "{:?}", events.warnings);
        assert_eq!(
            events.events.iter().filter(|e| e.id == 581605).map(|e| e.municipality.as_deref()).next(),
            Some(Some("0114"))
        );
        let batch = observations(&count(&events.events));
        let misshandel = batch.indicators.iter().find(|i| i.key == "polisen:Misshandel").expect("Misshandel");
        assert_eq!(
            (misshandel.better, misshandel.unit, misshandel.source),
            (Better::Lower, Unit::Count, Source::Polisen)
        );
        assert!(misshandel.description.starts_with("Polisens händelser (urval) — inte brottsstatistik."));
        let natt = batch.indicators.iter().find(|i| i.key == "polisen:Sammanfattning natt").expect("summary");
        assert_eq!(natt.better, Better::Neutral);
        assert!(value(&batch, "Misshandel", "00", "2025-05").is_some_and(|v| v > 0.0));
    }

    #[test]
    fn overlapping_downloads_are_merged_by_id() {
        let p = places();
        let a = parse(FIRST40.as_bytes(), &p).expect("a");
        let b = parse(FIRST40.as_bytes(), &p).expect("b");
        let merged = merge(a.events.iter().cloned().chain(b.events));
        assert_eq!(merged, a.events);
        // The same file twice in one array: de-duplicated on parsing.
        let twice = format!(
            "[{},{}]",
            FIRST40.trim().trim_start_matches('[').trim_end_matches(']'),
            FIRST40.trim().trim_start_matches('[').trim_end_matches(']')
        );
        let events = parse(twice.as_bytes(), &p).expect("twice");
        assert_eq!(events.events, a.events);
    }

    #[test]
    fn county_level_rules() {
        let p = places();
        let json = r#"[
          {"id": 1, "datetime": "2026-06-30 10:57:12 +02:00", "name": "30 juni 10.36, Trafikolycka, Mariestad", "type": "Trafikolycka", "location": {"name": "Västra Götalands län"}},
          {"id": 2, "datetime": "2026-06-30 1:02:03 +02:00", "name": "30 juni 01.00, Brand, Säffle", "type": "Brand", "location": {"name": "Västra Götalands län"}},
          {"id": 3, "datetime": "2026-06-30 22:00:00 +02:00", "name": "30 juni 22.00, Sammanfattning natt, Arvika", "type": "Sammanfattning  natt", "location": {"name": "Värmlands län"}},
          {"id": 4, "datetime": "2026-06-30 22:00:00 +02:00", "name": "30 juni 22.00, Sammanfattning kväll, Arvika", "type": "Sammanfattning kväll", "location": {"name": "Arvika"}},
          {"id": 5, "datetime": "2026-06-30 22:00:00 +02:00", "name": "x", "type": "Nytt slag", "location": {"name": "Atlantis"}},
          {"id": 6, "datetime": "2026-06-30 22:00:00 +02:00", "name": "30 juni, Trafikolycka, singel, Eda", "type": "Trafikolycka,  singel", "location": {"name": "Värmlands län"}}
        ]"#;
        let events = parse(json.as_bytes(), &p).expect("parses");
        let by_id = |id: i64| events.events.iter().find(|e| e.id == id).cloned();
        assert_eq!(by_id(1).and_then(|e| e.municipality), Some("1493".into()));
        // Säffle is not in Västra Götaland: county level.
        assert_eq!(by_id(2).map(|e| (e.county, e.municipality)), Some(("14".into(), None)));
        assert_eq!(by_id(3).map(|e| (e.kind, e.municipality)), Some(("Sammanfattning natt".into(), None)));
        assert_eq!(by_id(4).map(|e| (e.county, e.municipality)), Some(("17".into(), None)));
        assert_eq!(by_id(5), None);
        assert_eq!(events.warnings.len(), 1);
        assert!(events.warnings[0].contains('5') && events.warnings[0].contains("Atlantis"), "{:?}", events.warnings);
        assert_eq!(
            by_id(6).map(|e| (e.kind, e.municipality)),
            Some(("Trafikolycka, singel".into(), Some("1730".into())))
        );
    }

    #[test]
    fn errors_name_the_record() {
        let p = places();
        assert_eq!(parse(b"{}", &p).expect_err("object").at, "dokument");
        let no_id = r#"[{"datetime": "2026-06-30 1:02:03 +02:00"}]"#;
        assert_eq!(parse(no_id.as_bytes(), &p).expect_err("no id").at, "post 1");
        let base = r#"{"id": 1, "datetime": "2026-06-30 1:02:03 +02:00", "name": "n", "type": "Brand", "location": {"name": "Arvika"}}"#;
        let no_type = format!(
            r#"[{base}, {{"id": 588163, "datetime": "2026-06-30 1:02:03 +02:00", "location": {{"name": "Arvika"}}}}]"#
        );
        let err = parse(no_type.as_bytes(), &p).expect_err("no type");
        assert_eq!(err.at, "post 2 (id 588163)");
        assert!(err.message.contains("\"type\""), "{err}");
        for bad in [
            "2026-06-30",
            "2026-13-01 1:02:03 +02:00",
            "2026-02-30 1:02:03 +02:00",
            "2026-06-30 25:02:03 +02:00",
            "2026-06-30 1:2:03 +02:00",
            "30/6 1:02:03 +02:00",
        ] {
            let json = base.replace("2026-06-30 1:02:03 +02:00", bad);
            let err = parse(format!("[{json}]").as_bytes(), &p).expect_err(bad);
            assert_eq!(err.at, "post 1 (id 1)", "{bad}");
            assert!(err.message.starts_with("ogiltig tidpunkt"), "{err}");
        }
        let no_location = base.replace(r#""location": {"name": "Arvika"}"#, r#""location": {}"#);
        assert!(
            parse(format!("[{no_location}]").as_bytes(), &p).expect_err("location").message.contains("location.name")
        );
        assert_eq!(parse(b"[1]", &p).expect_err("number").at, "post 1");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(\\{|\\}|\\[|\\]|,|:|\"id\"|1|\"datetime\"|\"2025-06-07 7:32:06 \\+02:00\"|\"type\"|\"Brand\"|\"location\"|\"name\"|\"Värmlands län\"|\"x, Säffle\"){0,40}") {
            let _ = parse(text.as_bytes(), &places());
        }
    }
}
