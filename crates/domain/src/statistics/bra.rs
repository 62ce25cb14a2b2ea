//! Brå's tables of reported crime per municipality (anmälda brott efter brottsplatskommun), as
//! downloaded from Brå's statistics database: CSV (`;` or tab separated, UTF-8 with or without a
//! byte order mark, or Windows-1252) or an Excel workbook (`.xlsx`, first worksheet).
//!
//! Layout: optional title lines ("Anmälda brott totalt 2024"), then a header row whose first
//! cell is `Kommun` or `Region`, then one row per municipality (counties and `Riket` too).
//! Either long (`Antal (prel.)`, `Per 100 000 inv. (prel.)` columns; the year from the options,
//! the title or the header) or wide (one column per year: `2015` … `2024`; per 100 000 when the
//! title says so). Footnote rows (`Källa …`, `Anm …`, `* …`) end the table.
//!
//! The current layout of Brå's files is not verified against a real download: the shapes above
//! are the documented ones, and the parser is deliberately tolerant.

use std::collections::HashSet;
use std::io::Cursor;

use super::numbers;
use super::places::Places;
use super::{Batch, Better, Gender, ImportError, Indicator, Observation, Source, Unit};
use crate::org::slugify;

/// What the file itself may not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BraOptions {
    /// The crime (brottstyp), e.g. "Anmälda brott totalt"; else taken from the title line.
    pub name: Option<String>,
    /// The year of a long-format table; else taken from the title or header.
    pub year: Option<i32>,
}

/// One row of the file: its line (CSV) or row number (xlsx), 1-based, and its cells.
type Row = (u64, Vec<String>);

/// What a header column holds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Column {
    Count,
    Per100k,
    Year(i32),
    Unused,
}

/// Reads a Brå table into observations of `bra:<slug of the crime>` (and `…-per-100k`).
pub fn parse(bytes: &[u8], places: &Places, options: &BraOptions) -> Result<Batch, ImportError> {
    let rows = if bytes.starts_with(b"PK") { xlsx_rows(bytes)? } else { csv_rows(&decode(bytes))? };
    table(&rows, places, options)
}

/// UTF-8 (a byte order mark is dropped), else Windows-1252 (Excel's "CSV" on Swedish Windows).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// Splits lines first (so that line numbers are the file's, blank lines included), then reads
/// each line's cells, quotes allowed; a quoted cell cannot span lines.
fn csv_rows(text: &str) -> Result<Vec<Row>, ImportError> {
    let sample: String = text.lines().take(50).collect();
    let delimiter = if sample.matches('\t').count() > sample.matches(';').count() { b'\t' } else { b';' };
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let number = i as u64 + 1;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(line.as_bytes());
        let cells = match reader.records().next() {
            Some(Ok(record)) => record.iter().map(str::to_owned).collect(),
            Some(Err(e)) => return Err(ImportError::line(number, format!("kunde inte läsa raden ({e})"))),
            None => Vec::new(),
        };
        rows.push((number, cells));
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<Row>, ImportError> {
    use calamine::{Data, Reader, Xlsx};
    let bad = |e: &dyn std::fmt::Display| ImportError::new("arbetsbok", format!("kunde inte läsa Excel-filen ({e})"));
    // A third-party parser of untrusted bytes: a panic in it becomes an error, not a crash.
    let read = std::panic::catch_unwind(|| {
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
        match workbook.worksheet_range_at(0) {
            Some(Ok(range)) => Ok(range),
            Some(Err(e)) => Err(bad(&e)),
            None => Err(ImportError::new("arbetsbok", "Excel-filen har inget kalkylblad")),
        }
    });
    let range = read.map_err(|_| bad(&"filen är trasig"))??;
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut text: Vec<String> = vec![String::new(); first_col];
            text.extend(cells.iter().map(|cell| match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                other => other.to_string(),
            }));
            (first_row + i as u64 + 1, text)
        })
        .collect();
    Ok(rows)
}

/// `"2024"` (or `"2024*"`, `"2024 (prel.)"`) → 2024.
fn year_cell(cell: &str) -> Option<i32> {
    let t = cell.trim().trim_end_matches('*').trim();
    let t = t.strip_suffix("(prel.)").unwrap_or(t).trim();
    year_token(t)
}

fn year_token(token: &str) -> Option<i32> {
    (token.len() == 4 && token.bytes().all(|b| b.is_ascii_digit()))
        .then(|| token.parse().ok())
        .flatten()
        .filter(|y| (1950..=2100).contains(y))
}

/// The last year (1950–2100) written as a 4-digit word in `text`.
fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit()).rev().find_map(year_token)
}

fn squeeze(text: &str) -> String {
    text.to_lowercase().chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}').collect()
}

fn says_per_100k(text: &str) -> bool {
    let t = squeeze(text);
    t.contains("per100000") || t.contains("/100000") || t.contains("per100k")
}

fn column(header: &str) -> Column {
    if let Some(year) = year_cell(header) {
        Column::Year(year)
    } else if says_per_100k(header) {
        Column::Per100k
    } else if squeeze(header).starts_with("antal") {
        Column::Count
    } else {
        Column::Unused
    }
}

/// The crime's name from a title line: without years, "per 100 000 …" and trailing punctuation.
fn name_from_title(title: &str) -> String {
    let lower = title.to_lowercase();
    let cut = lower.find("per 100").or_else(|| lower.find("per\u{a0}100")).unwrap_or(title.len());
    let head = title.get(..cut).unwrap_or(title);
    let words: Vec<&str> =
        head.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic) || year_in(w).is_none()).collect();
    words.join(" ").trim_end_matches([',', ';', ':', '-', '–', ' ', '.']).trim().to_owned()
}

fn is_footnote(first: &str) -> bool {
    let lower = first.trim().to_lowercase();
    ["källa", "anm", "*", "not:", "fotnot"].iter().any(|p| lower.starts_with(p))
}

fn table(rows: &[Row], places: &Places, options: &BraOptions) -> Result<Batch, ImportError> {
    let first = |cells: &[String]| cells.first().map(|c| c.trim().to_owned()).unwrap_or_default();
    let Some(header_at) = rows.iter().position(|(_, cells)| {
        let f = first(cells).to_lowercase();
        f == "kommun" || f == "region"
    }) else {
        return Err(ImportError::new("fil", "hittade ingen rubrikrad som börjar med \"Kommun\" eller \"Region\""));
    };
    let (header_line, header) = &rows[header_at];
    let titles: Vec<String> = rows[..header_at]
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|c| c.trim().to_owned()))
        .filter(|c| !c.is_empty())
        .collect();
    let title = titles.first().cloned().unwrap_or_default();
    let title_text = titles.join(" ");

    let name = match options.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_owned(),
        None => name_from_title(&title),
    };
    let slug = slugify(&name);
    if slug.is_empty() {
        return Err(ImportError::new(
            "fil",
            "filen har ingen titel som säger brottstypen; ange brottstypen (fältet Brottstyp, eller --name på kommandoraden)",
        ));
    }

    let columns: Vec<Column> = header.iter().skip(1).map(|h| column(h)).collect();
    let wide_unit = if says_per_100k(&title_text) || options.name.as_deref().is_some_and(says_per_100k) {
        Unit::Per100k
    } else {
        Unit::Count
    };
    let mut batch = Batch::default();
    for (h, c) in header.iter().skip(1).zip(&columns) {
        if *c == Column::Unused && !h.trim().is_empty() {
            batch.warnings.push(format!("Kolumnen \"{}\" används inte.", h.trim()));
        }
    }
    if !columns.iter().any(|c| *c != Column::Unused) {
        return Err(ImportError::line(
            *header_line,
            "rubrikraden har varken kolumner med år (2015, 2016, …) eller \"Antal\" / \"Per 100 000 inv.\"",
        ));
    }
    let long = columns.iter().any(|c| matches!(c, Column::Count | Column::Per100k));
    let year = match options.year {
        Some(y) if (1950..=2100).contains(&y) => Some(y),
        Some(y) => return Err(ImportError::new("fil", format!("året {y} är inte giltigt"))),
        None => year_in(&title_text).or_else(|| header.iter().skip(1).find_map(|h| year_in(h))),
    };
    let year = match (long, year) {
        (true, None) => {
            return Err(ImportError::new(
                "fil",
                "filen säger inte vilket år siffrorna gäller; ange året (fältet År, eller --year på kommandoraden)",
            ));
        }
        (_, year) => year,
    };

    let key_count = format!("bra:{slug}");
    let key_rate = format!("bra:{slug}-per-100k");
    let description = format!("{name}. Källa: Brå. Anmälda brott efter brottsplatskommun.");
    let mut used_count = false;
    let mut used_rate = false;
    let mut seen = HashSet::new();
    for (line, cells) in &rows[header_at + 1..] {
        let place_name = first(cells);
        if place_name.is_empty() {
            continue;
        }
        if is_footnote(&place_name) {
            break;
        }
        if place_name.to_lowercase().starts_with("polisregion") {
            batch.warnings.push(format!("Rad {line}: \"{place_name}\" är en polisregion och hoppades över."));
            continue;
        }
        let Some(place) = places.lookup(&place_name) else {
            return Err(ImportError::line(*line, format!("okänd kommun \"{place_name}\"")));
        };
        let region = place.code().to_owned();
        if !seen.insert(region.clone()) {
            return Err(ImportError::line(*line, format!("\"{place_name}\" finns redan på en tidigare rad")));
        }
        for (j, col) in columns.iter().enumerate() {
            let (indicator, period) = match (*col, year) {
                (Column::Count, Some(y)) => (&key_count, y),
                (Column::Per100k, Some(y)) => (&key_rate, y),
                (Column::Year(y), _) => (if wide_unit == Unit::Per100k { &key_rate } else { &key_count }, y),
                _ => continue,
            };
            let text = cells.get(j + 1).map(String::as_str).unwrap_or("");
            let cell = numbers::parse(text).map_err(|message| {
                let column = header.get(j + 1).map(|h| h.trim()).unwrap_or_default();
                ImportError::line(*line, format!("{place_name}, kolumnen \"{column}\": {message}"))
            })?;
            if cell == numbers::Cell::Empty {
                continue;
            }
            if *indicator == key_rate {
                used_rate = true;
            } else {
                used_count = true;
            }
            batch.observations.push(Observation {
                indicator: indicator.clone(),
                region: region.clone(),
                period: period.to_string(),
                gender: Gender::Total,
                value: cell.value(),
                status: cell.status().to_owned(),
            });
        }
    }
    if seen.is_empty() {
        return Err(ImportError::line(*header_line, "tabellen har inga rader med kommuner efter rubrikraden"));
    }
    if used_count {
        batch.indicators.push(Indicator {
            key: key_count,
            name: name.clone(),
            unit: Unit::Count,
            source: Source::Bra,
            description: description.clone(),
            better: Better::Lower,
        });
    }
    if used_rate {
        batch.indicators.push(Indicator {
            key: key_rate,
            name: format!("{name}, per 100 000 invånare"),
            unit: Unit::Per100k,
            source: Source::Bra,
            description: format!("{description} Antal per 100 000 invånare."),
            better: Better::Lower,
        });
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::places::tests::places;

    // Hand-made from the documented shape (no real Brå kommun file exists in the project).
    const LONG: &str = include_str!("../../tests/fixtures/bra/anmalda_brott_2024_long.csv");
    const WIDE: &str = include_str!("../../tests/fixtures/bra/anmalda_brott_wide.csv");

    fn obs<'a>(batch: &'a Batch, indicator: &str, region: &str, period: &str) -> &'a Observation {
        batch
            .observations
            .iter()
            .find(|o| o.indicator == indicator && o.region == region && o.period == period)
            .unwrap_or_else(|| panic!("no {indicator} {region} {period}"))
    }

    #[test]
    fn long_format_with_bom_nbsp_flags_county_and_nation() {
        assert!(LONG.starts_with('\u{feff}'));
        let batch = parse(LONG.as_bytes(), &places(), &BraOptions::default()).expect("parses");
        assert_eq!(batch.indicators.len(), 2);
        let count = &batch.indicators[0];
        assert_eq!((count.key.as_str(), count.name.as_str()), ("bra:anmalda-brott-totalt", "Anmälda brott totalt"));
        assert_eq!((count.unit, count.better, count.source), (Unit::Count, Better::Lower, Source::Bra));
        assert!(count.description.contains("Källa: Brå. Anmälda brott efter brottsplatskommun."));
        assert_eq!(batch.indicators[1].key, "bra:anmalda-brott-totalt-per-100k");
        assert_eq!(batch.indicators[1].unit, Unit::Per100k);
        let saffle = obs(&batch, "bra:anmalda-brott-totalt", "1785", "2024");
        assert_eq!((saffle.value, saffle.status.as_str()), (Some(1234.0), ""));
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt-per-100k", "1785", "2024").value, Some(8134.5));
        let eda = obs(&batch, "bra:anmalda-brott-totalt", "1730", "2024");
        assert_eq!((eda.value, eda.status.as_str()), (None, ".."));
        let arjang = obs(&batch, "bra:anmalda-brott-totalt", "1765", "2024");
        assert_eq!((arjang.value, arjang.status.as_str()), (Some(0.0), "-"));
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt", "17", "2024").value, Some(25_310.0));
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt", "00", "2024").value, Some(1_434_512.0));
        // 5 places × 2 columns; the footnote ended the table.
        assert_eq!(batch.observations.len(), 10);
    }

    #[test]
    fn wide_format() {
        let batch = parse(WIDE.as_bytes(), &places(), &BraOptions::default()).expect("parses");
        assert_eq!(batch.indicators.len(), 1);
        assert_eq!(batch.indicators[0].key, "bra:anmalda-valdsbrott");
        assert_eq!(batch.indicators[0].unit, Unit::Count);
        let periods: Vec<_> =
            batch.observations.iter().filter(|o| o.region == "1784").map(|o| o.period.as_str()).collect();
        assert_eq!(periods, ["2022", "2023", "2024"]);
        assert_eq!(obs(&batch, "bra:anmalda-valdsbrott", "1784", "2023").value, Some(1021.0));
    }

    #[test]
    fn wide_per_100k_from_the_title() {
        let text = "Anmälda våldsbrott per 100 000 invånare\nKommun;2023;2024\nArvika;712,5;690,1\n";
        let batch = parse(text.as_bytes(), &places(), &BraOptions::default()).expect("parses");
        assert_eq!(batch.indicators.len(), 1);
        assert_eq!(batch.indicators[0].key, "bra:anmalda-valdsbrott-per-100k");
        assert_eq!(obs(&batch, "bra:anmalda-valdsbrott-per-100k", "1784", "2024").value, Some(690.1));
    }

    #[test]
    fn tab_separated_and_options() {
        let text = "Kommun\tAntal\nSäffle kommun\t1\u{a0}020\nGotland\t3\n";
        let err = parse(text.as_bytes(), &places(), &BraOptions::default()).expect_err("no name");
        assert!(err.message.contains("--name"), "{err}");
        let options = BraOptions { name: Some("Skadegörelse".into()), year: None };
        let err = parse(text.as_bytes(), &places(), &options).expect_err("no year");
        assert!(err.message.contains("år"), "{err}");
        let options = BraOptions { name: Some("Skadegörelse".into()), year: Some(2023) };
        let batch = parse(text.as_bytes(), &places(), &options).expect("parses");
        assert_eq!(obs(&batch, "bra:skadegorelse", "1785", "2023").value, Some(1020.0));
        assert_eq!(obs(&batch, "bra:skadegorelse", "0980", "2023").value, Some(3.0));
    }

    #[test]
    fn windows_1252() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Skadegörelse 2024\nKommun;Antal\nSäffle;12\nÅrjäng;3\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let batch = parse(&bytes, &places(), &BraOptions::default()).expect("parses");
        assert_eq!(batch.indicators[0].key, "bra:skadegorelse");
        assert_eq!(obs(&batch, "bra:skadegorelse", "1785", "2024").value, Some(12.0));
        assert_eq!(obs(&batch, "bra:skadegorelse", "1765", "2024").value, Some(3.0));
    }

    #[test]
    fn errors_name_the_line() {
        let text = "Anmälda brott totalt 2024\n\nKommun;Antal\nArvika;1\nEda;2\n\nSäfle;3\n";
        let err = parse(text.as_bytes(), &places(), &BraOptions::default()).expect_err("unknown");
        assert_eq!(err.to_string(), "rad 7: okänd kommun \"Säfle\"");
        let text = "Anmälda brott totalt 2024\nKommun;Antal\nArvika;12 st\n";
        let err = parse(text.as_bytes(), &places(), &BraOptions::default()).expect_err("not a number");
        assert_eq!(err.at, "rad 3");
        assert!(err.message.contains("Antal") && err.message.contains("12 st"), "{err}");
        let err = parse(b"a;b\n1;2\n", &places(), &BraOptions::default()).expect_err("no header");
        assert!(err.message.contains("Kommun"), "{err}");
        let err = parse(b"Brott 2024\nKommun;Antal\n", &places(), &BraOptions::default()).expect_err("empty");
        assert!(err.message.contains("inga rader"), "{err}");
        let err =
            parse(b"Brott 2024\nKommun;Antal\nEda;1\nEda;2\n", &places(), &BraOptions::default()).expect_err("twice");
        assert_eq!(err.at, "rad 4");
        assert!(parse(b"PK\x03\x04garbage", &places(), &BraOptions::default()).is_err());
    }

    /// Workbooks made by `rust_xlsxwriter` (see the fixtures' README): a title row, a header on
    /// row 3, Säffle, Eda suppressed, a county with a text number, a footnote; and one with an
    /// unknown name on row 5.
    #[test]
    fn xlsx_first_worksheet() {
        let bytes = include_bytes!("../../tests/fixtures/bra/anmalda_brott_2024.xlsx");
        let batch = parse(bytes, &places(), &BraOptions::default()).expect("parses");
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt", "1785", "2024").value, Some(1234.0));
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt-per-100k", "1785", "2024").value, Some(8134.5));
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt", "1730", "2024").status, "..");
        assert_eq!(obs(&batch, "bra:anmalda-brott-totalt", "17", "2024").value, Some(25_310.0));
        // Row numbers are the sheet's: "Säfle" on row 5.
        let bytes = include_bytes!("../../tests/fixtures/bra/unknown_municipality.xlsx");
        let err = parse(bytes, &places(), &BraOptions::default()).expect_err("unknown");
        assert_eq!(err.to_string(), "rad 5: okänd kommun \"Säfle\"");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300), year in proptest::option::of(1900i32..2200)) {
            let places = places();
            let options = BraOptions { name: Some("Brott".into()), year };
            let _ = parse(&bytes, &places, &BraOptions::default());
            let _ = parse(&bytes, &places, &options);
            let mut xlsx = b"PK\x03\x04".to_vec();
            xlsx.extend(&bytes);
            let _ = parse(&xlsx, &places, &options);
        }

        #[test]
        fn never_panics_on_table_like_text(text in "(Kommun|Region|Anmälda brott 2024|Säffle|Riket|Källa|[0-9 ,.;\t-]{0,12}|\n){0,30}") {
            let _ = parse(text.as_bytes(), &places(), &BraOptions::default());
        }
    }
}
