//! SCB's population as the indicator `scb:folkmangd`: from a PxWeb table (json-stat2 or v1
//! `json`, parsed by [`crate::population`]) or from the plain CSV
//! `kommun_kod,kommun_namn,population` (one year, both sexes, all ages).

use std::collections::BTreeMap;

use super::{Batch, Better, Gender, ImportError, Indicator, Level, Observation, Source, Unit, valid_period};
use crate::population::{Age, PopulationTable, Sex};

/// The key of the population indicator.
pub const POPULATION: &str = "scb:folkmangd";

/// The population indicator.
pub fn population_indicator() -> Indicator {
    Indicator {
        key: POPULATION.to_owned(),
        name: "Folkmängd".to_owned(),
        unit: Unit::Count,
        source: Source::Scb,
        description: "Folkmängd enligt SCB.".to_owned(),
        better: Better::Neutral,
    }
}

fn observation(region: &str, year: &str, gender: Gender, value: u64) -> Observation {
    Observation {
        indicator: POPULATION.to_owned(),
        region: region.to_owned(),
        period: year.to_owned(),
        gender,
        value: Some(value as f64),
        status: String::new(),
    }
}

/// Population per region, year and gender (men `M`, women `K`, both `T`). Ages are summed, unless
/// the table has an all-ages (`tot`) row, which is used instead. Where the table gives only men
/// and women, `T` is their sum. Years that are not a valid year (`2024M05`) are skipped with a
/// warning. A region, year and sex whose ages do not cover everyone (no all-ages row, and single
/// ages or groups that do not run from 0 to an open "and older") is an error: such a table is a
/// selection (one age, one civil status), not the population.
pub fn population_batch(table: &PopulationTable) -> Result<Batch, ImportError> {
    #[derive(Default)]
    struct Sums {
        total_row: Option<u64>,
        ages: u64,
        spans: Vec<(u32, Option<u32>)>,
    }
    let mut sums: BTreeMap<(&str, &str, Sex), Sums> = BTreeMap::new();
    let mut skipped: Vec<&str> = Vec::new();
    for row in &table.rows {
        if row.year.len() != 4 || !valid_period(&row.year) {
            if !skipped.contains(&row.year.as_str()) {
                skipped.push(&row.year);
            }
            continue;
        }
        let s = sums.entry((&row.region, &row.year, row.sex)).or_default();
        match row.age {
            Age::Total => s.total_row = Some(s.total_row.unwrap_or(0).saturating_add(row.count)),
            Age::Years { from, to } => {
                s.ages = s.ages.saturating_add(row.count);
                s.spans.push((from, to));
            }
        }
    }
    for ((region, year, _), s) in &mut sums {
        if s.total_row.is_some() {
            continue;
        }
        s.spans.sort();
        s.spans.dedup();
        // Contiguous from 0, ending with an open group.
        let mut next = Some(0u32);
        let mut contiguous = true;
        for (from, to) in &s.spans {
            if next != Some(*from) {
                contiguous = false;
                break;
            }
            next = to.map(|t| t.saturating_add(1));
        }
        let everyone = contiguous && !s.spans.is_empty() && next.is_none();
        if !everyone {
            return Err(ImportError::new(
                format!("region {region}, år {year}"),
                "tabellen täcker inte alla åldrar (den behöver en rad för alla åldrar, eller åldrar från 0 till \
                 och med den äldsta gruppen): ett urval är inte folkmängden",
            ));
        }
    }
    let value = |s: &Sums| s.total_row.unwrap_or(s.ages);
    let mut batch = Batch { indicators: vec![population_indicator()], ..Batch::default() };
    for ((region, year, sex), s) in &sums {
        let gender = match sex {
            Sex::Men => Gender::Men,
            Sex::Women => Gender::Women,
            Sex::Both => Gender::Total,
        };
        batch.observations.push(observation(region, year, gender, value(s)));
        if *sex == Sex::Women
            && !sums.contains_key(&(region, year, Sex::Both))
            && let Some(men) = sums.get(&(region, year, Sex::Men))
        {
            batch.observations.push(observation(region, year, Gender::Total, value(men).saturating_add(value(s))));
        }
    }
    if !skipped.is_empty() {
        batch.warnings.push(format!("Hoppade över perioder som inte är år: {}", skipped.join(", ")));
    }
    Ok(batch)
}

/// Reads the CSV `kommun_kod,kommun_namn,population` (SCB's FolkmangdNov per municipality) for
/// `year`. Region codes may also be counties (`17`) or the nation (`00`).
pub fn parse_population_csv(bytes: &[u8], year: i32) -> Result<Batch, ImportError> {
    let period = year.to_string();
    if period.len() != 4 || !valid_period(&period) {
        return Err(ImportError::new("fil", format!("året {year} är inte giltigt")));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
    let headers = reader.headers().map_err(|e| ImportError::line(1, format!("kunde inte läsa rubrikraden ({e})")))?;
    let expected = ["kommun_kod", "kommun_namn", "population"];
    if headers.iter().map(str::trim).collect::<Vec<_>>() != expected {
        return Err(ImportError::line(1, format!("väntade rubrikraden {}", expected.join(","))));
    }
    let mut batch = Batch { indicators: vec![population_indicator()], ..Batch::default() };
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ImportError::line(line, format!("kunde inte läsa raden ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let code = record.get(0).unwrap_or("").trim();
        let count = record.get(2).unwrap_or("").trim();
        if code.is_empty() && count.is_empty() {
            continue;
        }
        if !matches!(Level::of(code), Some(Level::Municipality | Level::County | Level::Nation)) {
            return Err(ImportError::line(line, format!("\"{code}\" är inte en kommun-, läns- eller rikskod")));
        }
        let Ok(value) = count.parse::<u64>() else {
            return Err(ImportError::line(line, format!("folkmängden \"{count}\" är inte ett heltal")));
        };
        if !seen.insert(code.to_owned()) {
            return Err(ImportError::line(line, format!("koden {code} finns redan på en tidigare rad")));
        }
        batch.observations.push(observation(code, &period, Gender::Total, value));
    }
    if batch.observations.is_empty() {
        return Err(ImportError::new("fil", "filen har ingen folkmängd"));
    }
    Ok(batch)
}

/// Reads SCB population from a PxWeb JSON table (all its years, or only `year` when given) or
/// from the CSV `kommun_kod,kommun_namn,population` (which needs `year`).
pub fn parse(bytes: &[u8], year: Option<i32>) -> Result<Batch, ImportError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let json = body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'{' || *b == b'[');
    if !json {
        let Some(year) = year else {
            return Err(ImportError::new("fil", "filen säger inte vilket år folkmängden gäller; ange året"));
        };
        return parse_population_csv(bytes, year);
    }
    let table = crate::population::parse(bytes)
        .map_err(|e| ImportError::new("fil", format!("inte en användbar befolkningstabell från SCB: {e}")))?;
    let mut batch = population_batch(&table)?;
    if let Some(year) = year {
        let period = year.to_string();
        batch.observations.retain(|o| o.period == period);
        if batch.observations.is_empty() {
            return Err(ImportError::new("fil", format!("tabellen har ingen folkmängd för år {year}")));
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::PopulationRow;

    const CSV: &[u8] = include_bytes!("../../tests/fixtures/scb/population_2024_by_municipality.csv");
    const V2: &[u8] = include_bytes!("../../tests/fixtures/scb/TAB638-data-35e0e2-5aec69-POST.json");
    const V1: &[u8] = include_bytes!("../../tests/fixtures/scb/BefolkningNy-21059a-POST.json");

    fn row(region: &str, year: &str, sex: Sex, age: Age, count: u64) -> PopulationRow {
        PopulationRow { region: region.into(), year: year.into(), sex, age, count }
    }

    fn value(batch: &Batch, region: &str, period: &str, gender: Gender) -> Option<f64> {
        batch
            .observations
            .iter()
            .find(|o| o.region == region && o.period == period && o.gender == gender)
            .and_then(|o| o.value)
    }

    #[test]
    fn the_real_csv_gives_290_municipalities() {
        let batch = parse_population_csv(CSV, 2024).expect("parses");
        assert_eq!(batch.observations.len(), 290);
        let sum: f64 = batch.observations.iter().filter_map(|o| o.value).sum();
        assert_eq!(sum, 10_587_140.0);
        assert!(batch.observations.iter().all(|o| o.period == "2024" && o.gender == Gender::Total));
        assert_eq!(batch.indicators, [population_indicator()]);
        assert_eq!(batch.indicators[0].name, "Folkmängd");
        assert_eq!(parse(CSV, Some(2024)), Ok(batch));
        assert!(parse(CSV, None).expect_err("no year").message.contains("år"));
    }

    #[test]
    fn csv_errors_name_the_line() {
        let err = parse_population_csv(b"kommun_kod,kommun_namn,population\n1785,S\xc3\xa4ffle,15000\n178,X,1\n", 2024)
            .expect_err("bad code");
        assert_eq!(err.at, "rad 3");
        let err = parse_population_csv(b"kommun_kod,kommun_namn,population\n1785,S,15 000\n", 2024).expect_err("bad");
        assert_eq!(err.at, "rad 2");
        assert!(parse_population_csv(b"a,b,c\n", 2024).is_err());
        assert!(parse_population_csv(b"kommun_kod,kommun_namn,population\n", 2024).is_err());
        assert!(parse_population_csv(CSV, 1800).is_err());
    }

    #[test]
    fn real_pxweb_tables() {
        // The json-stat2 sample is one cell (unmarried boys aged 0): not a population.
        assert!(parse(V2, None).is_err());
        let batch = parse(V1, None).expect("v1 json");
        assert!(!batch.observations.is_empty());
        assert!(batch.observations.iter().all(|o| o.indicator == POPULATION && o.value.is_some()));
        let first = &batch.observations[0];
        let only = parse(V1, Some(first.period.parse().expect("year"))).expect("one year");
        assert!(only.observations.iter().all(|o| o.period == first.period));
        assert!(parse(V1, Some(1990)).is_err());
    }

    #[test]
    fn totals_ages_and_derived_both_sexes() {
        let table = PopulationTable {
            rows: vec![
                row("1785", "2024", Sex::Men, Age::Years { from: 0, to: Some(9) }, 700),
                row("1785", "2024", Sex::Men, Age::Years { from: 10, to: None }, 6900),
                row("1785", "2024", Sex::Women, Age::Years { from: 0, to: Some(9) }, 650),
                row("1785", "2024", Sex::Women, Age::Years { from: 10, to: None }, 6800),
                // A table with an all-ages row: the row is used, not the sum.
                row("1784", "2024", Sex::Both, Age::Total, 25_000),
                row("1784", "2024", Sex::Both, Age::Years { from: 0, to: Some(9) }, 2_000),
                row("1784", "2024M05", Sex::Both, Age::Total, 1),
            ],
        };
        let batch = population_batch(&table).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value(&batch, "1785", "2024", Gender::Men), Some(7600.0));
        assert_eq!(value(&batch, "1785", "2024", Gender::Women), Some(7450.0));
        assert_eq!(value(&batch, "1785", "2024", Gender::Total), Some(15050.0));
        assert_eq!(value(&batch, "1784", "2024", Gender::Total), Some(25_000.0));
        assert_eq!(batch.observations.len(), 4);
        assert_eq!(batch.warnings.len(), 1);
    }

    #[test]
    fn a_selection_of_ages_is_not_the_population() {
        // The real TAB638 sample: unmarried boys aged 0 in the whole country.
        let json = include_bytes!("../../tests/fixtures/scb/TAB638-data-35e0e2-5aec69-POST.json");
        let e = parse(json, None).err().unwrap_or_else(|| panic!("accepted a one-cell selection"));
        assert!(e.message.contains("täcker inte alla åldrar"), "{e}");
        let gap = PopulationTable {
            rows: vec![
                row("1785", "2024", Sex::Both, Age::Years { from: 0, to: Some(9) }, 1),
                row("1785", "2024", Sex::Both, Age::Years { from: 20, to: None }, 1),
            ],
        };
        assert!(population_batch(&gap).is_err());
    }
}
