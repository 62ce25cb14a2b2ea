//! Kolada (RKA) documents: value pages of API v2 (`values`, `count`, `next_page`, period as a
//! string) and v3 (`values`, `next_url`, period as a number; `count` and `status` optional), and
//! KPI metadata (`{"values": [...]}`, a bare array, or a single KPI object).
//!
//! Regions: a 4-digit municipality id is kept (`1785`), `0000` is the nation (`00`) and `00XX`
//! (Kolada's ids of regions/counties) is the county `XX`. Other ids (municipality groups such as
//! `G33416`) are skipped with a warning.
//!
//! A value page carries no titles, so [`parse`] also gives a bare [`Indicator`] for each KPI it
//! saw (name = id, unit Other, better Neutral): the values can be stored before the metadata is
//! imported. Importing the KPI metadata later gives the full indicator, which replaces the bare
//! one (the store upserts indicators by key).

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use super::{
    Batch, Better, Gender, ImportError, Indicator, NATION, Observation, Source, Unit, push_indicator, read_json,
    serde_message_sv, valid_period,
};

/// One Kolada document: what it held and the URL of the next page, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KoladaDocument {
    pub batch: Batch,
    /// `next_page` (v2) or `next_url` (v3) when the document has a non-empty one.
    pub next: Option<String>,
}

/// Reads a Kolada value page or KPI metadata document (detected from its shape).
pub fn parse(bytes: &[u8]) -> Result<KoladaDocument, ImportError> {
    let root = read_json(bytes)?;
    let next = match &root {
        Value::Object(o) => ["next_page", "next_url"]
            .iter()
            .filter_map(|k| o.get(*k).and_then(Value::as_str))
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_owned),
        _ => None,
    };
    let batch = match &root {
        Value::Object(o) => match o.get("values") {
            Some(Value::Array(items)) if items.iter().any(|i| i.get("id").is_some() && i.get("kpi").is_none()) => {
                metadata(Value::Array(items.clone()), "values")?
            }
            Some(Value::Array(_)) => values(root.clone())?,
            Some(_) => return Err(ImportError::new("values", "väntade en lista")),
            None if o.contains_key("id") => metadata(Value::Array(vec![root.clone()]), "")?,
            None => {
                return Err(ImportError::new(
                    "dokument",
                    "varken värden (\"values\") eller nyckeltal (\"id\", \"title\") från Kolada",
                ));
            }
        },
        Value::Array(items) if items.iter().any(|i| i.get("kpi").is_some()) => {
            values(serde_json::json!({ "values": items }))?
        }
        Value::Array(_) => metadata(root.clone(), "")?,
        _ => return Err(ImportError::new("dokument", "väntade ett JSON-objekt eller en lista från Kolada")),
    };
    Ok(KoladaDocument { batch, next })
}

/// A period: v2 writes `"2023"`, v3 `2023`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Period {
    Text(String),
    Number(i64),
}

impl Period {
    fn text(&self) -> String {
        match self {
            Period::Text(s) => s.trim().to_owned(),
            Period::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct ValuePage {
    values: Vec<ValueRecord>,
}

#[derive(Deserialize)]
struct ValueRecord {
    kpi: String,
    municipality: String,
    period: Period,
    #[serde(default)]
    values: Vec<ValueCell>,
}

#[derive(Deserialize)]
struct ValueCell {
    gender: String,
    #[serde(default)]
    value: Option<f64>,
    #[serde(default)]
    status: Option<String>,
}

fn structured<T: serde::de::DeserializeOwned>(value: Value, prefix: &str) -> Result<T, ImportError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = match (prefix, path.as_str()) {
            (p, ".") => p.to_owned(),
            ("", path) => path.to_owned(),
            (p, path) => format!("{p}{}", path.trim_start_matches('.')),
        };
        let at = if at.is_empty() || at == "." { "dokument".to_owned() } else { at };
        ImportError::new(at, serde_message_sv(&e.inner().to_string()))
    })
}

/// A KPI id such as `N07403`: a letter, then letters or digits, at most 12 characters.
fn valid_kpi(id: &str) -> bool {
    id.len() <= 12
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Kolada's municipality id as a region code, or `None` for ids of another kind.
fn region(id: &str) -> Option<String> {
    if id.len() != 4 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match id.strip_prefix("00") {
        Some("00") => Some(NATION.to_owned()),
        Some(county) => Some(county.to_owned()),
        None => Some(id.to_owned()),
    }
}

fn values(root: Value) -> Result<Batch, ImportError> {
    let page: ValuePage = structured(root, "")?;
    let mut batch = Batch::default();
    let mut skipped: Vec<String> = Vec::new();
    for (i, record) in page.values.iter().enumerate() {
        let kpi = record.kpi.trim();
        let municipality = record.municipality.trim();
        let period = record.period.text();
        let at = format!("values[{i}]");
        let known = format!("(nyckeltal {kpi}, kommun {municipality}, period {period})");
        if !valid_kpi(kpi) {
            return Err(ImportError::new(at, format!("ogiltigt nyckeltals-id \"{kpi}\" {known}")));
        }
        if period.len() != 4 || !valid_period(&period) {
            return Err(ImportError::new(at, format!("perioden \"{period}\" är inte ett år {known}")));
        }
        let Some(region) = region(municipality) else {
            if !skipped.iter().any(|s| s == municipality) {
                skipped.push(municipality.to_owned());
            }
            continue;
        };
        let key = format!("kolada:{kpi}");
        push_indicator(
            &mut batch.indicators,
            Indicator {
                key: key.clone(),
                name: kpi.to_owned(),
                unit: Unit::from_title(""),
                source: Source::Kolada,
                description: String::new(),
                better: Better::Neutral,
            },
        );
        for (j, cell) in record.values.iter().enumerate() {
            let Some(gender) = Gender::from_code(cell.gender.trim()) else {
                return Err(ImportError::new(
                    format!("values[{i}].values[{j}]"),
                    format!("okänt kön \"{}\" {known}; väntade T, K eller M", cell.gender),
                ));
            };
            if cell.value.is_some_and(|v| !v.is_finite()) {
                return Err(ImportError::new(format!("values[{i}].values[{j}]"), format!("ogiltigt värde {known}")));
            }
            batch.observations.push(Observation {
                indicator: key.clone(),
                region: region.clone(),
                period: period.clone(),
                gender,
                value: cell.value,
                status: cell.status.clone().unwrap_or_default(),
            });
        }
    }
    if !skipped.is_empty() {
        batch.warnings.push(format!(
            "Hoppade över värden för {} som inte är kommuner, län eller riket: {}",
            if skipped.len() == 1 { "ett id" } else { "id" },
            skipped.join(", ")
        ));
    }
    Ok(batch)
}

#[derive(Deserialize)]
struct KpiMeta {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

/// Which direction is better, from a KPI title: crimes ("brott", "anmäld") and insecurity
/// ("otrygg") lower, security ("trygg") higher, anything else neutral.
pub fn better_from_title(title: &str) -> Better {
    let t = title.to_lowercase();
    if t.contains("brott") || t.contains("anmäld") || t.contains("otrygg") {
        Better::Lower
    } else if t.contains("trygg") {
        Better::Higher
    } else {
        Better::Neutral
    }
}

fn metadata(items: Value, prefix: &str) -> Result<Batch, ImportError> {
    let kpis: Vec<KpiMeta> = structured(items, prefix)?;
    let mut batch = Batch::default();
    let mut seen = HashSet::new();
    for (i, kpi) in kpis.into_iter().enumerate() {
        let at = if prefix.is_empty() { format!("post {}", i + 1) } else { format!("{prefix}[{i}]") };
        let id = kpi.id.trim();
        if !valid_kpi(id) {
            return Err(ImportError::new(at, format!("ogiltigt nyckeltals-id \"{id}\"")));
        }
        let title = kpi.title.trim();
        if title.is_empty() {
            return Err(ImportError::new(format!("{at} (id {id})"), "nyckeltalet saknar titel"));
        }
        if !seen.insert(id.to_owned()) {
            continue;
        }
        batch.indicators.push(Indicator {
            key: format!("kolada:{id}"),
            name: title.to_owned(),
            unit: Unit::from_title(title),
            source: Source::Kolada,
            description: kpi.description.unwrap_or_default().trim().to_owned(),
            better: better_from_title(title),
        });
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-made from the documented shapes (no real Kolada response exists in the project);
    // the same documents are in tests/fixtures/kolada/.
    const V2: &str = include_str!("../../tests/fixtures/kolada/v2_values_N07403.json");
    const V3: &str = include_str!("../../tests/fixtures/kolada/v3_values_N07403.json");
    const KPI: &str = include_str!("../../tests/fixtures/kolada/v3_kpi.json");

    fn obs<'a>(batch: &'a Batch, region: &str, period: &str, gender: Gender) -> &'a Observation {
        batch
            .observations
            .iter()
            .find(|o| o.region == region && o.period == period && o.gender == gender)
            .unwrap_or_else(|| panic!("no observation {region} {period} {gender:?}"))
    }

    #[test]
    fn v2_page() {
        let doc = parse(V2.as_bytes()).expect("v2 parses");
        assert_eq!(doc.next.as_deref(), Some("http://api.kolada.se/v2/data/kpi/N07403/year/2023?page=2&per_page=5"));
        let b = &doc.batch;
        assert_eq!(b.indicators.len(), 1);
        assert_eq!(b.indicators[0].key, "kolada:N07403");
        assert_eq!(b.indicators[0].name, "N07403");
        assert_eq!(b.indicators[0].unit, Unit::Other);
        assert_eq!(b.indicators[0].better, Better::Neutral);
        let saffle = obs(b, "1785", "2023", Gender::Total);
        assert_eq!((saffle.value, saffle.status.as_str()), (Some(812.3), ""));
        assert_eq!(obs(b, "1785", "2023", Gender::Women).value, Some(455.0));
        assert_eq!(obs(b, "1785", "2023", Gender::Men).value, Some(1170.1));
        let eda = obs(b, "1730", "2023", Gender::Total);
        assert_eq!((eda.value, eda.status.as_str()), (None, "Bortfall"));
        assert_eq!(obs(b, "00", "2023", Gender::Total).value, Some(1104.5));
        assert_eq!(obs(b, "17", "2023", Gender::Total).value, Some(901.2));
        assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    }

    #[test]
    fn v3_page() {
        let doc = parse(V3.as_bytes()).expect("v3 parses");
        assert_eq!(doc.next.as_deref(), Some("https://api.kolada.se/v3/data/kpi/N07403/year/2022,2023?page=2"));
        let b = &doc.batch;
        assert_eq!(b.observations.len(), 5);
        assert_eq!(obs(b, "1784", "2022", Gender::Total).value, Some(640.5));
        assert_eq!(obs(b, "1784", "2023", Gender::Total).status, "");
        assert_eq!(obs(b, "00", "2022", Gender::Total).value, Some(1065.0));
        // the municipality group is skipped with a warning
        assert_eq!(b.warnings.len(), 1);
        assert!(b.warnings[0].contains("G33416"), "{:?}", b.warnings);
    }

    #[test]
    fn kpi_metadata() {
        let doc = parse(KPI.as_bytes()).expect("kpi parses");
        let b = &doc.batch;
        assert!(b.observations.is_empty());
        assert_eq!(b.indicators.len(), 3);
        let violence = &b.indicators[0];
        assert_eq!(violence.key, "kolada:N07403");
        assert_eq!(violence.name, "Anmälda våldsbrott, antal/100 000 inv");
        assert_eq!(violence.unit, Unit::Per100k);
        assert_eq!(violence.better, Better::Lower);
        assert_eq!(violence.source, Source::Kolada);
        assert!(violence.description.contains("brottsplats"));
        assert_eq!(b.indicators[1].unit, Unit::Count);
        assert_eq!(b.indicators[1].better, Better::Neutral);
        assert_eq!(b.indicators[2].better, Better::Higher);
        assert_eq!(doc.next, None);
    }

    #[test]
    fn metadata_as_bare_array_or_single_object() {
        let one = r#"{"id":"N07403","title":"Anmälda våldsbrott, antal/100 000 inv","is_divided_by_gender":0}"#;
        let doc = parse(one.as_bytes()).expect("single object");
        assert_eq!(doc.batch.indicators[0].key, "kolada:N07403");
        let bare = format!("[{one}, {{\"id\":\"U07417\",\"title\":\"Andel otrygga\",\"is_divided_by_gender\":true}}]");
        let doc = parse(bare.as_bytes()).expect("bare array");
        assert_eq!(doc.batch.indicators.len(), 2);
        assert_eq!(doc.batch.indicators[1].better, Better::Lower);
        assert_eq!(doc.batch.indicators[1].unit, Unit::Percent);
    }

    #[test]
    fn a_bad_gender_names_the_record() {
        let text = r#"{"values":[{"kpi":"N07403","municipality":"1785","period":2023,"values":[{"gender":"T","value":1},{"gender":"F","value":2}]}]}"#;
        let err = parse(text.as_bytes()).expect_err("F is not a gender");
        assert_eq!(err.at, "values[0].values[1]");
        assert!(err.message.contains("\"F\"") && err.message.contains("1785") && err.message.contains("2023"), "{err}");
    }

    #[test]
    fn structural_errors_name_the_path() {
        let text = r#"{"values":[{"kpi":"N07403","municipality":"1785","period":2023,"values":[]},{"kpi":"N07403","municipality":"1785","period":2023,"values":[{"gender":"T","value":"x"}]}]}"#;
        let err = parse(text.as_bytes()).expect_err("a string value");
        assert_eq!(err.at, "values[1].values[0].value", "{err}");
        assert!(err.message.starts_with("fel typ"), "{err}");
        let missing = r#"{"values":[{"kpi":"N07403","period":2023,"values":[]}]}"#;
        let err = parse(missing.as_bytes()).expect_err("no municipality");
        assert_eq!(err.at, "values[0]", "{err}");
        assert!(err.message.contains("municipality"), "{err}");
    }

    #[test]
    fn invalid_json_gives_line_and_column() {
        let err = parse(b"{\n  \"values\": [\n    {\"kpi\": }\n").expect_err("broken");
        assert_eq!(err.at, "rad 3, kolumn 13", "{err}");
        assert!(err.message.starts_with("ogiltig JSON"), "{err}");
        let err = parse(b"{\"values\": [").expect_err("cut");
        assert!(err.message.contains("tar slut"), "{err}");
    }

    #[test]
    fn bad_ids_and_periods() {
        let bad_kpi = r#"{"values":[{"kpi":"N07403; DROP","municipality":"1785","period":2023,"values":[]}]}"#;
        assert_eq!(parse(bad_kpi.as_bytes()).expect_err("kpi").at, "values[0]");
        let bad_period = r#"{"values":[{"kpi":"N07403","municipality":"1785","period":"2023-13","values":[]}]}"#;
        let err = parse(bad_period.as_bytes()).expect_err("period");
        assert!(err.message.contains("2023-13"), "{err}");
        let month = r#"{"values":[{"kpi":"N07403","municipality":"1785","period":"2023-05","values":[]}]}"#;
        assert!(parse(month.as_bytes()).is_err());
        assert!(parse(b"42").is_err());
        assert!(parse(br#"{"foo": 1}"#).is_err());
    }

    #[test]
    fn empty_page_with_next() {
        let doc = parse(br#"{"values": [], "count": 0, "next_page": ""}"#).expect("empty");
        assert_eq!(doc, KoladaDocument::default());
        let doc = parse(br#"{"values": [], "next_url": "https://api.kolada.se/v3/x?page=3"}"#).expect("empty");
        assert_eq!(doc.next.as_deref(), Some("https://api.kolada.se/v3/x?page=3"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(\\{|\\}|\\[|\\]|,|:|\"values\"|\"kpi\"|\"N07403\"|\"municipality\"|\"0000\"|\"period\"|2023|\"gender\"|\"T\"|\"value\"|null|1\\.5|\"id\"|\"title\"|\"next_url\"){0,40}") {
            let _ = parse(text.as_bytes());
        }
    }
}
