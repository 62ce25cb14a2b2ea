//! View models of survey results shared by the public and the staff results pages: numbers
//! formatted the Swedish way, SVG bar charts with interval whiskers (the same numbers are in
//! the table beside each), breakdowns, and the CSV of the results.

use lofte_domain::stats::Estimate;
use lofte_domain::survey::Kind;
use lofte_domain::survey::results::{Cell, Results};

/// "32,5 %".
pub fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0).replace('.', ",")
}

fn interval(e: &Estimate) -> String {
    format!("{}–{}", percent(e.lo), percent(e.hi)).replace(" %–", "–")
}

/// What a suppressed cell shows.
pub const HIDDEN: &str = "–";

pub struct RowView {
    pub label: String,
    pub count: String,
    pub share: String,
    pub interval: String,
    pub small: bool,
    pub weighted: String,
    pub weighted_interval: String,
    pub change: String,
    pub change_interval: String,
    pub significant: bool,
}

pub struct BarView {
    pub label: String,
    pub y: u32,
    pub text_y: u32,
    pub width: String,
    pub lo: String,
    pub hi: String,
    pub mid_y: u32,
    pub value: String,
}

pub struct ChartView {
    pub height: u32,
    pub bars: Vec<BarView>,
}

pub struct GroupView {
    pub label: String,
    pub n: String,
    pub cells: Vec<String>,
}

pub struct BreakdownView {
    pub by: &'static str,
    pub choices: Vec<String>,
    pub groups: Vec<GroupView>,
}

pub struct QuestionView {
    pub key: String,
    pub text: String,
    pub n: String,
    pub rows: Vec<RowView>,
    pub chart: Option<ChartView>,
    pub breakdowns: Vec<BreakdownView>,
    pub numbers: String,
    pub n_eff: String,
    pub free_text: bool,
}

pub struct ResultsView {
    pub questions: Vec<QuestionView>,
    pub weighted: bool,
    pub weighted_base: String,
    pub compared: bool,
    pub min_cell: u64,
}

fn cell_text(c: &Cell) -> String {
    match (&c.count, &c.estimate) {
        (Some(k), Some(e)) => format!("{} ({})", k, percent(e.share)),
        (Some(k), None) => k.to_string(),
        _ => HIDDEN.to_owned(),
    }
}

const CHART_WIDTH: f64 = 400.0;
const LABEL_WIDTH: f64 = 0.0;
const ROW: u32 = 28;

fn chart(rows: &[(String, Option<Estimate>)]) -> Option<ChartView> {
    if rows.iter().all(|(_, e)| e.is_none()) {
        return None;
    }
    let x = |v: f64| format!("{:.1}", LABEL_WIDTH + v * CHART_WIDTH);
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, e))| {
            let y = u32::try_from(i).unwrap_or(0) * ROW * 2;
            let e = e.unwrap_or(Estimate { share: 0.0, lo: 0.0, hi: 0.0, n: 0.0 });
            BarView {
                label: label.clone(),
                text_y: y + 14,
                y: y + ROW - 6,
                width: x(e.share),
                lo: x(e.lo),
                hi: x(e.hi),
                mid_y: y + ROW + 4,
                value: if e.n > 0.0 { percent(e.share) } else { HIDDEN.to_owned() },
            }
        })
        .collect::<Vec<_>>();
    Some(ChartView { height: u32::try_from(bars.len()).unwrap_or(0) * ROW * 2 + 4, bars })
}

pub fn results_view(r: &Results, compared: bool) -> ResultsView {
    let weighted = r.weighted_base.is_some();
    let questions = r
        .questions
        .iter()
        .map(|q| {
            let rows: Vec<RowView> = q
                .choices
                .iter()
                .map(|c| RowView {
                    label: c.label.clone(),
                    count: c.cell.count.map_or(HIDDEN.to_owned(), |k| k.to_string()),
                    share: c.cell.estimate.map_or(HIDDEN.to_owned(), |e| percent(e.share)),
                    interval: c.cell.estimate.map_or(HIDDEN.to_owned(), |e| interval(&e)),
                    small: c.cell.small,
                    weighted: c.weighted.map_or(HIDDEN.to_owned(), |e| percent(e.share)),
                    weighted_interval: c.weighted.map_or(HIDDEN.to_owned(), |e| interval(&e)),
                    change: c.change.map_or(HIDDEN.to_owned(), |d| {
                        format!("{}{:.1}", if d.diff >= 0.0 { "+" } else { "−" }, (d.diff * 100.0).abs())
                            .replace('.', ",")
                    }),
                    change_interval: c.change.map_or(HIDDEN.to_owned(), |d| {
                        format!("{:.1} till {:.1}", d.lo * 100.0, d.hi * 100.0).replace('.', ",").replace('-', "−")
                    }),
                    significant: c.change.is_some_and(|d| d.significant),
                })
                .collect();
            let chart = chart(&q.choices.iter().map(|c| (c.label.clone(), c.cell.estimate)).collect::<Vec<_>>());
            let breakdowns = q
                .breakdowns
                .iter()
                .map(|b| BreakdownView {
                    by: b.by,
                    choices: q.choices.iter().map(|c| c.label.clone()).collect(),
                    groups: b
                        .groups
                        .iter()
                        .map(|g| GroupView {
                            label: g.label.clone(),
                            n: g.n.map_or(HIDDEN.to_owned(), |n| n.to_string()),
                            cells: g.cells.iter().map(cell_text).collect(),
                        })
                        .collect(),
                })
                .collect();
            QuestionView {
                key: q.key.clone(),
                text: q.text.clone(),
                n: q.n.map_or(HIDDEN.to_owned(), |n| n.to_string()),
                rows,
                chart,
                breakdowns,
                numbers: q.numbers.as_ref().map_or(String::new(), |s| {
                    let mut text = format!("Medelvärde {:.1}, median {}", s.mean, s.median).replace('.', ",");
                    if let (Some(min), Some(max)) = (s.min, s.max) {
                        text.push_str(&format!(", lägst {min}, högst {max}"));
                    }
                    text
                }),
                n_eff: q.n_eff.map_or(String::new(), |n| format!("{n:.0}")),
                free_text: q.kind == Kind::FreeText,
            }
        })
        .collect();
    ResultsView {
        questions,
        weighted,
        weighted_base: r.weighted_base.map_or(String::new(), |n| n.to_string()),
        compared,
        min_cell: r.min_cell,
    }
}

fn estimate_fields(e: Option<Estimate>) -> [String; 3] {
    e.map_or([String::new(), String::new(), String::new()], |e| {
        [format!("{:.4}", e.share), format!("{:.4}", e.lo), format!("{:.4}", e.hi)]
    })
}

/// The results as CSV: one row per question, group and choice. Suppressed cells are empty
/// with `undertryckt` = 1.
pub fn results_csv(r: &Results) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record([
        "fraga",
        "fragetext",
        "grupp",
        "gruppvarde",
        "antal_svarande",
        "svarsalternativ",
        "antal",
        "andel",
        "lagre_95",
        "ovre_95",
        "viktad_andel",
        "viktad_lagre_95",
        "viktad_ovre_95",
        "undertryckt",
    ])?;
    for q in &r.questions {
        let n = q.n.map_or(String::new(), |n| n.to_string());
        for c in &q.choices {
            let [s, lo, hi] = estimate_fields(c.cell.estimate);
            let [ws, wlo, whi] = estimate_fields(c.weighted);
            let count = c.cell.count.map_or(String::new(), |k| k.to_string());
            let hidden = if c.cell.suppressed { "1" } else { "0" };
            w.write_record([&q.key, &q.text, "alla", "", &n, &c.label, &count, &s, &lo, &hi, &ws, &wlo, &whi, hidden])?;
        }
        for b in &q.breakdowns {
            for g in &b.groups {
                let gn = g.n.map_or(String::new(), |n| n.to_string());
                for (c, cell) in q.choices.iter().zip(&g.cells) {
                    let [s, lo, hi] = estimate_fields(cell.estimate);
                    let count = cell.count.map_or(String::new(), |k| k.to_string());
                    let hidden = if cell.suppressed { "1" } else { "0" };
                    w.write_record([
                        &q.key, &q.text, b.by, &g.label, &gn, &c.label, &count, &s, &lo, &hi, "", "", "", hidden,
                    ])?;
                }
            }
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers() {
        assert_eq!(percent(0.325), "32,5 %");
        let e = Estimate { share: 0.5, lo: 0.25, hi: 0.75, n: 10.0 };
        assert_eq!(interval(&e), "25,0–75,0 %");
    }
}
