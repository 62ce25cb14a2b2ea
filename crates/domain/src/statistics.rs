//! Statistics for the lägesbild: indicators (what is measured, by whom, which direction is
//! better) and their observations (one value per indicator, region, period and gender), read
//! from the real formats of Kolada, SCB PxWeb, Polisen's events and Brå's tables.
//!
//! Every importer is a pure function from bytes to a [`Batch`] or an [`ImportError`] that names
//! the line or record at fault; nothing here does I/O. The database stores a batch with upserts
//! keyed by (indicator, region, period, gender), so importing the same file twice changes
//! nothing.
//!
//! Regions use SCB's codes: a municipality's four digits (`1785`), a county's two (`17`), `00`
//! for the whole country, and `lpo:<uuid>` for a local police area (manual entry only).

use serde::{Deserialize, Serialize};

pub mod bra;
pub mod kolada;
pub mod numbers;
pub mod places;
pub mod polisen;
pub mod scb;

/// SCB's (and our) region code of the whole country.
pub const NATION: &str = "00";

/// Gender of an observation, as Kolada codes it: `T` total, `K` women, `M` men.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Gender {
    #[serde(rename = "T")]
    Total,
    #[serde(rename = "K")]
    Women,
    #[serde(rename = "M")]
    Men,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::Total => "T",
            Gender::Women => "K",
            Gender::Men => "M",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "T" => Some(Gender::Total),
            "K" => Some(Gender::Women),
            "M" => Some(Gender::Men),
            _ => None,
        }
    }

    pub fn sv(self) -> &'static str {
        match self {
            Gender::Total => "Totalt",
            Gender::Women => "Kvinnor",
            Gender::Men => "Män",
        }
    }
}

/// Which direction of an indicator is better for the municipality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
    /// Neither (e.g. population): no judgement in comparisons and scores.
    Neutral,
}

impl Better {
    pub fn code(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
            Better::Neutral => "neutral",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "lower" => Some(Better::Lower),
            "higher" => Some(Better::Higher),
            "neutral" => Some(Better::Neutral),
            _ => None,
        }
    }

    pub fn sv(self) -> &'static str {
        match self {
            Better::Lower => "Lägre är bättre",
            Better::Higher => "Högre är bättre",
            Better::Neutral => "Ingen riktning",
        }
    }
}

/// What a value counts, which decides whether a rate per 100 000 can be computed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A number of things (crimes, events, inhabitants): summable, and per 100 000 from population.
    Count,
    /// Already a rate per 100 000 inhabitants.
    Per100k,
    /// Already a rate per 1 000 inhabitants.
    Per1000,
    /// A percentage (0–100).
    Percent,
    /// Anything else (an index, a score, kronor).
    Other,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Per100k => "per_100k",
            Unit::Per1000 => "per_1000",
            Unit::Percent => "percent",
            Unit::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "count" => Some(Unit::Count),
            "per_100k" => Some(Unit::Per100k),
            "per_1000" => Some(Unit::Per1000),
            "percent" => Some(Unit::Percent),
            "other" => Some(Unit::Other),
            _ => None,
        }
    }

    pub fn sv(self) -> &'static str {
        match self {
            Unit::Count => "antal",
            Unit::Per100k => "per 100 000 invånare",
            Unit::Per1000 => "per 1 000 invånare",
            Unit::Percent => "procent",
            Unit::Other => "",
        }
    }

    /// Guesses the unit from a title such as Kolada's "Anmälda våldsbrott, antal/100 000 inv".
    pub fn from_title(title: &str) -> Unit {
        let t = title.to_lowercase().replace(['\u{a0}', ' '], "");
        if t.contains("/100000") || t.contains("per100000") {
            Unit::Per100k
        } else if t.contains("/1000inv") || t.contains("per1000") || t.contains("/1000") {
            Unit::Per1000
        } else if t.contains("andel") || t.contains('%') || t.contains("procent") {
            Unit::Percent
        } else if t.contains("antal") {
            Unit::Count
        } else {
            Unit::Other
        }
    }
}

/// Where an indicator comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Kolada,
    Scb,
    Polisen,
    Bra,
    /// Entered by staff, with a source note per value.
    Manual,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Kolada => "kolada",
            Source::Scb => "scb",
            Source::Polisen => "polisen",
            Source::Bra => "bra",
            Source::Manual => "manual",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "kolada" => Some(Source::Kolada),
            "scb" => Some(Source::Scb),
            "polisen" => Some(Source::Polisen),
            "bra" => Some(Source::Bra),
            "manual" => Some(Source::Manual),
            _ => None,
        }
    }

    /// The attribution shown with every figure of this source.
    pub fn sv(self) -> &'static str {
        match self {
            Source::Kolada => "Källa: Kolada (RKA)",
            Source::Scb => "Källa: SCB",
            Source::Polisen => "Polisens händelser (urval) — inte brottsstatistik",
            Source::Bra => "Källa: Brå",
            Source::Manual => "Inmatat värde",
        }
    }
}

/// An indicator: what is measured. `key` is stable and source-prefixed: `kolada:N07403`,
/// `scb:folkmangd`, `polisen:Misshandel`, `bra:<slug of the crime>`, `manual:<slug>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub name: String,
    pub unit: Unit,
    pub source: Source,
    pub description: String,
    pub better: Better,
}

/// One value of an indicator for a region, period and gender. `period` is a year (`2024`) or a
/// month (`2024-05`). `value` is `None` where the source says the value is missing or
/// suppressed; `status` keeps the source's flag (Kolada's `status`, Brå's `..`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub indicator: String,
    pub region: String,
    pub period: String,
    pub gender: Gender,
    pub value: Option<f64>,
    pub status: String,
}

/// What an importer read: the indicators it describes and their observations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub indicators: Vec<Indicator>,
    pub observations: Vec<Observation>,
    /// Things worth telling the person importing that did not stop the import (skipped
    /// regions of another type, unknown municipality names at county level, …), Swedish.
    pub warnings: Vec<String>,
}

/// Why a file could not be imported, naming where: `"rad 12"`, `"post 3"`, `"values[4].values[1]"`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct ImportError {
    pub at: String,
    pub message: String,
}

impl ImportError {
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        ImportError { at: at.into(), message: message.into() }
    }

    pub fn line(line: u64, message: impl Into<String>) -> Self {
        ImportError { at: format!("rad {line}"), message: message.into() }
    }
}

/// Adds county and national totals of counts that the batch has for *every* municipality of a
/// county (or of the country) but not for the county (or the nation) itself: a sum over part of
/// a county would be wrong, so partial coverage adds nothing. Only `Unit::Count` indicators are
/// summed; suppressed or missing values make the total missing too.
pub fn add_totals(batch: &mut Batch, places: &places::Places) {
    use std::collections::{BTreeMap, BTreeSet};
    let counts: BTreeSet<&str> =
        batch.indicators.iter().filter(|i| i.unit == Unit::Count).map(|i| i.key.as_str()).collect();
    let mut members: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (m, c) in places.municipality_counties() {
        members.entry(c).or_default().insert(m);
    }
    let all: usize = members.values().map(BTreeSet::len).sum();
    // (indicator, period, gender) → region → value
    type Key<'a> = (&'a str, &'a str, Gender);
    let mut cells: BTreeMap<Key<'_>, BTreeMap<&str, Option<f64>>> = BTreeMap::new();
    for o in &batch.observations {
        if counts.contains(o.indicator.as_str()) {
            cells.entry((&o.indicator, &o.period, o.gender)).or_default().insert(&o.region, o.value);
        }
    }
    let mut added = Vec::new();
    for ((indicator, period, gender), regions) in &cells {
        let mut push = |region: &str, value: Option<f64>| {
            added.push(Observation {
                indicator: (*indicator).to_owned(),
                region: region.to_owned(),
                period: (*period).to_owned(),
                gender: *gender,
                value,
                status: String::new(),
            })
        };
        let sum = |codes: &mut dyn Iterator<Item = &&str>| -> Option<Option<f64>> {
            let mut total = Some(0.0);
            for code in codes {
                let v = regions.get(*code)?;
                total = total.zip(*v).map(|(a, b)| a + b);
            }
            Some(total)
        };
        let mut complete = 0;
        for (county, municipalities) in &members {
            if let Some(total) = sum(&mut municipalities.iter()) {
                complete += municipalities.len();
                if !regions.contains_key(county) {
                    push(county, total);
                }
            }
        }
        if complete == all && !regions.contains_key(NATION) {
            let total = sum(&mut members.values().flatten());
            push(NATION, total.flatten());
        }
    }
    batch.observations.extend(added);
}

/// The kind of region a code names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Municipality,
    PoliceArea,
    County,
    Nation,
}

impl Level {
    pub fn of(region: &str) -> Option<Level> {
        if region == NATION {
            Some(Level::Nation)
        } else if region.len() == 2 && region.bytes().all(|b| b.is_ascii_digit()) {
            Some(Level::County)
        } else if region.len() == 4 && region.bytes().all(|b| b.is_ascii_digit()) {
            Some(Level::Municipality)
        } else if region.strip_prefix("lpo:").is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()) {
            Some(Level::PoliceArea)
        } else {
            None
        }
    }

    pub fn sv(self) -> &'static str {
        match self {
            Level::Municipality => "Kommun",
            Level::PoliceArea => "Lokalpolisområde",
            Level::County => "Län",
            Level::Nation => "Riket",
        }
    }
}

/// A period is a year `YYYY` (1950–2100) or a month `YYYY-MM`.
pub fn valid_period(period: &str) -> bool {
    let year_ok = |y: &str| y.len() == 4 && y.parse::<i32>().is_ok_and(|y| (1950..=2100).contains(&y));
    match period.split_once('-') {
        None => year_ok(period),
        Some((y, m)) => year_ok(y) && m.len() == 2 && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m)),
    }
}

/// The year of a period (`2024-05` → 2024).
pub fn period_year(period: &str) -> Option<i32> {
    period.get(..4)?.parse().ok()
}

/// Reads JSON (a UTF-8 byte order mark is skipped); a syntax error names its line and column.
pub(crate) fn read_json(bytes: &[u8]) -> Result<serde_json::Value, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        let detail = e.to_string();
        let detail = detail.split(" at line ").next().unwrap_or_default();
        let message = if e.is_eof() {
            format!("filen tar slut mitt i JSON-innehållet ({detail})")
        } else {
            format!("ogiltig JSON ({detail})")
        };
        ImportError::new(format!("rad {}, kolumn {}", e.line(), e.column()), message)
    })
}

/// A serde message in Swedish, for the common cases ("missing field `x`", "invalid type: …").
pub(crate) fn serde_message_sv(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        format!("fältet \"{field}\" saknas")
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        format!("fel typ av värde ({rest})")
    } else {
        format!("oväntat innehåll ({message})")
    }
}

/// Adds an indicator unless one with the same key is already there.
pub(crate) fn push_indicator(indicators: &mut Vec<Indicator>, indicator: Indicator) {
    if !indicators.iter().any(|i| i.key == indicator.key) {
        indicators.push(indicator);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_scb_codes() {
        assert_eq!(Level::of("00"), Some(Level::Nation));
        assert_eq!(Level::of("17"), Some(Level::County));
        assert_eq!(Level::of("1785"), Some(Level::Municipality));
        assert_eq!(Level::of("lpo:0192d1a4-7a4e-7c5e-9c1a-1a2b3c4d5e6f"), Some(Level::PoliceArea));
        assert_eq!(Level::of("lpo:x"), None);
        assert_eq!(Level::of("178"), None);
    }

    #[test]
    fn units_from_kolada_titles() {
        assert_eq!(Unit::from_title("Anmälda våldsbrott, antal/100 000 inv"), Unit::Per100k);
        assert_eq!(Unit::from_title("Anmälda stöld- och tillgreppsbrott, antal/1000 inv"), Unit::Per1000);
        assert_eq!(Unit::from_title("Invånare totalt, antal"), Unit::Count);
    }

    #[test]
    fn totals_only_for_whole_counties() {
        let reference = crate::reference::parse(
            include_str!("../../../data/reference/swedish_admin_areas.csv"),
            include_str!("../../../data/reference/bra_2015_polisregioner.txt"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let places = places::Places::new(&reference);
        let indicator = |key: &str, unit| Indicator {
            key: key.into(),
            name: key.into(),
            unit,
            source: Source::Scb,
            description: String::new(),
            better: Better::Neutral,
        };
        let value = |key: &str, region: &str, v: f64| Observation {
            indicator: key.into(),
            region: region.into(),
            period: "2024".into(),
            gender: Gender::Total,
            value: Some(v),
            status: String::new(),
        };
        let mut batch =
            Batch { indicators: vec![indicator("a", Unit::Count), indicator("r", Unit::Per100k)], ..Batch::default() };
        for m in &reference.municipalities {
            batch.observations.push(value("a", m.code.as_str(), 1.0));
            batch.observations.push(value("r", m.code.as_str(), 1.0));
        }
        // Gotland (09) is one municipality; leave Värmland (17) without Säffle.
        batch.observations.retain(|o| o.region != "1785");
        add_totals(&mut batch, &places);
        fn get(batch: &Batch, region: &str) -> Option<Option<f64>> {
            batch.observations.iter().find(|o| o.indicator == "a" && o.region == region).map(|o| o.value)
        }
        assert_eq!(get(&batch, "09"), Some(Some(1.0)));
        assert_eq!(get(&batch, "01"), Some(Some(26.0)));
        assert_eq!(get(&batch, "17"), None);
        assert_eq!(get(&batch, NATION), None);
        assert!(!batch.observations.iter().any(|o| o.indicator == "r" && o.region.len() == 2));
        batch.observations.push(value("a", "1785", 2.0));
        add_totals(&mut batch, &places);
        assert_eq!(get(&batch, "17"), Some(Some(17.0)));
        assert_eq!(get(&batch, NATION), Some(Some(291.0)));
    }

    #[test]
    fn periods() {
        assert!(valid_period("2024"));
        assert!(valid_period("2024-05"));
        assert!(!valid_period("2024-13"));
        assert!(!valid_period("24"));
        assert_eq!(period_year("2024-05"), Some(2024));
    }
}
