//! Answers exported by other survey tools (CSV, one row per respondent) read into [`Answers`]
//! through a column mapping, and Löfte's own anonymous export, which reads back without one.
//!
//! The mapping is a small JSON file:
//!
//! ```json
//! {
//!   "date_column": "Inskickad",
//!   "columns": {
//!     "Hur stort problem är nedskräpning?": { "question": "problem-nedskrapning",
//!                                             "values": { "1": "mycket-stort", "2": "ganska-stort" } },
//!     "Kön": { "question": "kon" },
//!     "Utsatt för hot": { "question": "utsatt-12-man", "choice": "hot" }
//!   }
//! }
//! ```
//!
//! A cell's value is looked up in the column's `values` first, then matched with a choice's key,
//! Swedish or English text (case and surrounding spaces ignored). A `choice` column is one
//! choice of a multiple-choice question, ticked when the cell says 1, x, ja, yes, sant or true.
//! Multiple-choice cells may list several values separated by `,` or `;`. Every row is checked
//! like a submitted questionnaire; any problem is reported with its line and nothing is read.

use std::collections::BTreeMap;

use serde::Deserialize;
use time::Date;

use super::{Answers, Kind, Questionnaire, read_answers};

/// Largest file read.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// Problems reported at most (the first ones, by line).
pub const MAX_PROBLEMS: usize = 50;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// A column with the day each row was answered; only the date part is kept.
    #[serde(default)]
    pub date_column: Option<String>,
    pub columns: BTreeMap<String, ColumnMapping>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub question: String,
    /// For a column holding one choice of a multiple-choice question.
    #[serde(default)]
    pub choice: Option<String>,
    /// The tool's values and the choice keys they mean.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

/// A problem with the file, the mapping, or a row (1-based line in the file; 0 = the mapping).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", if *.line == 0 { .message.clone() } else { format!("rad {}: {}", .line, .message) })]
pub struct LineProblem {
    pub line: u64,
    pub message: String,
}

fn problem(line: u64, message: impl Into<String>) -> LineProblem {
    LineProblem { line, message: message.into() }
}

/// One respondent read from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub answered_on: Option<Date>,
    pub answers: Answers,
}

/// What a file holds: its rows, and the columns no mapping used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Read {
    pub rows: Vec<Row>,
    pub unused_columns: Vec<String>,
}

/// Parses a mapping file, with the JSON path of any problem.
pub fn parse_mapping(bytes: &[u8]) -> Result<Mapping, LineProblem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        problem(0, format!("Mappningsfilen: {inner} (vid {path})"))
    })
}

/// The mapping Löfte's own export needs: columns named by question key, plus `datum`.
pub fn automatic(q: &Questionnaire, headers: &[String]) -> Mapping {
    let columns = headers
        .iter()
        .filter_map(|h| {
            let key = h.trim();
            q.questions.iter().find(|q| q.key == key || q.text.sv.trim() == key).map(|question| {
                (h.clone(), ColumnMapping { question: question.key.clone(), ..ColumnMapping::default() })
            })
        })
        .collect();
    let date_column = headers.iter().find(|h| h.trim() == "datum").cloned();
    Mapping { date_column, columns }
}

fn truthy(v: &str) -> bool {
    matches!(v.trim().to_lowercase().as_str(), "1" | "x" | "ja" | "yes" | "sant" | "true")
}

fn delimiter(first_line: &str) -> u8 {
    [b';', b'\t', b','].into_iter().max_by_key(|d| first_line.bytes().filter(|b| b == d).count()).unwrap_or(b',')
}

fn parse_day(cell: &str) -> Option<Date> {
    let day = cell.trim().get(..10)?;
    Date::parse(day, &time::format_description::well_known::Iso8601::DATE).ok()
}

/// Reads a CSV file (UTF-8, BOM or not; `;`, tab or `,` separated, guessed from the header) with
/// `mapping` (or the automatic one when `None`). All rows or the problems, never part.
pub fn read(
    q: &Questionnaire,
    sub_areas: &[(String, String)],
    bytes: &[u8],
    mapping: Option<&Mapping>,
) -> Result<Read, Vec<LineProblem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![problem(0, format!("Filen är större än {} MB.", MAX_BYTES / 1024 / 1024))]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        vec![problem(line, "Filen är inte UTF-8. Spara den som CSV UTF-8 och försök igen.")]
    })?;
    // Line numbers count lines the way an editor does, also in files with Windows line ends.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let first = text.lines().next().unwrap_or("");
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter(first)).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => return Err(vec![problem(1, format!("Rubrikraden kan inte läsas: {e}"))]),
    };
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(vec![problem(1, "Filen är tom eller saknar rubrikrad.")]);
    }
    let automatic_mapping;
    let mapping = match mapping {
        Some(m) => m,
        None => {
            automatic_mapping = automatic(q, &headers);
            &automatic_mapping
        }
    };
    // Check the mapping against the file and the questionnaire before any row.
    let mut problems = Vec::new();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name.trim());
    let mut mapped = Vec::new();
    for (name, m) in &mapping.columns {
        let Some(index) = column(name) else {
            problems.push(problem(1, format!("Kolumnen {name:?} i mappningen finns inte i filen.")));
            continue;
        };
        let Some(question) = q.question(&m.question) else {
            problems
                .push(problem(0, format!("Kolumnen {name:?} mappas till frågan {:?}, som inte finns.", m.question)));
            continue;
        };
        if let Some(choice) = &m.choice
            && (question.kind != Kind::Multiple || question.choice(choice).is_none())
        {
            problems.push(problem(
                0,
                format!("Kolumnen {name:?}: {choice:?} är inget svarsalternativ i en flervalsfråga {:?}.", m.question),
            ));
            continue;
        }
        mapped.push((index, name.as_str(), m, question));
    }
    let date_index = match &mapping.date_column {
        Some(name) => match column(name) {
            Some(i) => Some(i),
            None => {
                problems.push(problem(1, format!("Datumkolumnen {name:?} finns inte i filen.")));
                None
            }
        },
        None => None,
    };
    if mapped.is_empty() && problems.is_empty() {
        problems.push(problem(1, "Ingen kolumn i filen hör till någon fråga i enkäten. Ange en mappning."));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let used: Vec<usize> = mapped.iter().map(|(i, ..)| *i).chain(date_index).collect();
    let unused_columns = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !used.contains(i) && !h.trim().is_empty())
        .map(|(_, h)| h.clone())
        .collect();

    let mut rows = Vec::new();
    for record in reader.records() {
        if problems.len() >= MAX_PROBLEMS {
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                        "raden har {len} fält men rubrikraden har {expected_len}: kontrollera avgränsare och citattecken."
                    ),
                    _ => format!("raden kan inte läsas som CSV: {e}"),
                };
                problems.push(problem(line, message));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut fields = Vec::new();
        let mut row_ok = true;
        for (index, name, m, question) in &mapped {
            let cell = record.get(*index).unwrap_or("").trim();
            if cell.is_empty() {
                continue;
            }
            let field = format!("q:{}", question.key);
            if let Some(choice) = &m.choice {
                if truthy(cell) {
                    fields.push((field, choice.clone()));
                }
                continue;
            }
            let parts: Vec<&str> = if question.kind == Kind::Multiple {
                cell.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()).collect()
            } else {
                vec![cell]
            };
            for part in parts {
                let value = if let Some(v) = m.values.get(part) {
                    v.clone()
                } else if question.kind.has_choices() {
                    let lower = part.to_lowercase();
                    match question.choices.iter().find(|c| {
                        c.key == part
                            || c.text.sv.trim().to_lowercase() == lower
                            || c.text.en.trim().to_lowercase() == lower
                    }) {
                        Some(c) => c.key.clone(),
                        None => {
                            problems.push(problem(
                                line,
                                format!("kolumnen {name:?}: {part:?} är inget av frågans svarsalternativ."),
                            ));
                            row_ok = false;
                            continue;
                        }
                    }
                } else if question.kind == Kind::SubArea {
                    let lower = part.to_lowercase();
                    match sub_areas.iter().find(|(k, n)| k == part || n.to_lowercase() == lower) {
                        Some((k, _)) => k.clone(),
                        None => {
                            problems.push(problem(line, format!("kolumnen {name:?}: delområdet {part:?} finns inte.")));
                            row_ok = false;
                            continue;
                        }
                    }
                } else {
                    part.to_owned()
                };
                fields.push((field.clone(), value));
            }
        }
        let answered_on = match date_index.map(|i| record.get(i).unwrap_or("").trim()) {
            Some("") | None => None,
            Some(cell) => match parse_day(cell) {
                Some(d) => Some(d),
                None => {
                    problems.push(problem(line, format!("datumet {cell:?} är inte ett datum (ÅÅÅÅ-MM-DD).")));
                    row_ok = false;
                    None
                }
            },
        };
        if !row_ok {
            continue;
        }
        match read_answers(q, sub_areas, &fields, "sv") {
            Ok(answers) if answers.is_empty() => {}
            Ok(answers) => rows.push(Row { line, answered_on, answers }),
            Err(list) => problems.extend(list.into_iter().map(|p| {
                let name = mapped.iter().find(|(_, _, m, _)| m.question == p.question).map_or("", |(_, n, ..)| n);
                problem(line, format!("kolumnen {name:?} (frågan {:?}): {}", p.question, p.message))
            })),
        }
    }
    if problems.is_empty() {
        Ok(Read { rows, unused_columns })
    } else {
        problems.truncate(MAX_PROBLEMS);
        Err(problems)
    }
}

/// Löfte's anonymous export: one row per respondent, a `datum` column (the day only) and one
/// column per question that is not free text, named by the question's key; multiple choices
/// joined with `,`. It reads back with [`read`] without a mapping.
pub fn export(q: &Questionnaire, rows: &[(Date, Answers)]) -> Result<Vec<u8>, csv::Error> {
    let questions: Vec<_> = q.questions.iter().filter(|q| q.kind != Kind::FreeText).collect();
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record(std::iter::once("datum").chain(questions.iter().map(|q| q.key.as_str())))?;
    for (day, a) in rows {
        let mut record = vec![day.to_string()];
        for question in &questions {
            record.push(match question.kind {
                Kind::Number => a.numbers.get(&question.key).map(ToString::to_string).unwrap_or_default(),
                _ => a.choices.get(&question.key).map(|c| c.join(",")).unwrap_or_default(),
            });
        }
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::safety_survey_template;

    fn areas() -> Vec<(String, String)> {
        vec![("centrum".into(), "Centrum".into()), ("norr".into(), "Norr".into())]
    }

    #[test]
    fn a_mapped_file_is_read() {
        let q = safety_survey_template();
        let mapping = parse_mapping(
            r#"{"date_column": "Inskickad", "columns": {
                "Nedskräpning": {"question": "problem-nedskrapning", "values": {"1": "mycket-stort", "4": "inget"}},
                "Kön": {"question": "kon"},
                "Område": {"question": "delomrade"},
                "Hot": {"question": "utsatt-12-man", "choice": "hot"},
                "Våld": {"question": "utsatt-12-man", "choice": "vald"}}}"#
                .as_bytes(),
        )
        .expect("mapping");
        let csv = "\u{feff}Id;Inskickad;Nedskräpning;Kön;Område;Hot;Våld\n\
                   7;2026-03-02 14:11;1;Kvinna;Centrum;Ja;\n\
                   8;2026-03-03;4;man;norr;0;1\n\
                   ;;;;;;\n";
        let read = read(&q, &areas(), csv.as_bytes(), Some(&mapping)).expect("read");
        assert_eq!(read.unused_columns, vec!["Id"]);
        assert_eq!(read.rows.len(), 2);
        assert_eq!(read.rows[0].line, 2);
        assert_eq!(read.rows[0].answered_on.map(|d| d.to_string()).as_deref(), Some("2026-03-02"));
        assert_eq!(read.rows[0].answers.choices["problem-nedskrapning"], vec!["mycket-stort"]);
        assert_eq!(read.rows[0].answers.choices["utsatt-12-man"], vec!["hot"]);
        assert_eq!(read.rows[1].answers.choices["kon"], vec!["man"]);
        assert_eq!(read.rows[1].answers.choices["delomrade"], vec!["norr"]);
    }

    #[test]
    fn problems_name_the_line_and_column() {
        let q = safety_survey_template();
        let mapping = parse_mapping(
            r#"{"columns": {"Kön": {"question": "kon"}, "År": {"question": "ar-i-omradet"}}}"#.as_bytes(),
        )
        .expect("mapping");
        let csv = "Kön,År\r\nKvinna,3\r\nHäst,4\r\nMan,many\r\nKvinna,3,extra\r\n";
        let e = read(&q, &[], csv.as_bytes(), Some(&mapping)).expect_err("bad rows");
        let text: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "rad 3: kolumnen \"Kön\": \"Häst\" är inget av frågans svarsalternativ.",
                "rad 4: kolumnen \"År\" (frågan \"ar-i-omradet\"): Skriv ett heltal, till exempel 12.",
                "rad 5: raden har 3 fält men rubrikraden har 2: kontrollera avgränsare och citattecken."
            ]
        );
        let e = read(&q, &[], b"A,B\n1,2\n", Some(&mapping)).expect_err("missing columns");
        assert!(e.iter().any(|p| p.message.contains("\"År\" i mappningen finns inte")), "{e:?}");
        let e = parse_mapping(br#"{"columns": {"A": {"fraga": "x"}}}"#).expect_err("bad mapping");
        assert!(e.message.contains("columns.A"), "{}", e.message);
        assert!(read(&q, &[], b"\xff\xfe", None).is_err());
        assert!(read(&q, &[], b"", None).is_err());
    }

    #[test]
    fn the_export_reads_back_without_a_mapping() {
        let q = safety_survey_template();
        let d = time::macros::date!(2026 - 03 - 02);
        let mut a = Answers::default();
        a.choices.insert("utsatt-12-man".into(), vec!["hot".into(), "vald".into()]);
        a.choices.insert("delomrade".into(), vec!["norr".into()]);
        a.numbers.insert("ar-i-omradet".into(), 7);
        a.texts.insert("tryggare".into(), "never exported".into());
        let bytes = export(&q, &[(d, a.clone())]).expect("export");
        assert!(!String::from_utf8_lossy(&bytes).contains("never exported"));
        let back = read(&q, &areas(), &bytes, None).expect("read back");
        a.texts.clear();
        assert_eq!(back.rows, vec![Row { line: 2, answered_on: Some(d), answers: a }]);
    }
}
