//! The lägesbild pages. Staff: a municipality's lägesbilder and a new one; one lägesbild live
//! (problems ranked with their evidence side by side and the score's parts), its edit form
//! (title, summary, weights, surveys, analysis and notes per problem, which statistics are
//! evidence), choosing focus areas (creates or links a theme in a promise draft), dated
//! snapshots, print view and JSON export. Public: the latest published snapshot at
//! `/kommun/{slug}/lagesbild/{year}` (aggregated figures only) and its JSON, and the "Därför"
//! evidence beside each focus area of a promise.
//!
//! [`build`] gathers the figures (surveys' counts, dialogues, statistics with the county and the
//! nation) and hands them to `lofte_domain::lagesbild`, which scores and ranks.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::lagesbild::{self as store, Choice, Edit, Lagesbild};
use lofte_db::promises::Actor;
use lofte_db::statistics::{self, Series};
use lofte_db::{DbError, dialogues, problems, surveys};
use lofte_domain::auth::Staff;
use lofte_domain::dialogue::DialogueKind;
use lofte_domain::lagesbild::{
    Comparison, DialogueEvidence, Document, Point, Problem, Ranked, StatisticEvidence, SurveyEvidence, Weights,
    default_indicators, parse_weights, per_100k, rank, trend,
};
use lofte_domain::reference::ReferenceData;
use lofte_domain::statistics::{Indicator, NATION, Source, Unit};
use lofte_domain::survey::results::problem_share;
use lofte_domain::{PromiseDocument, Status, Theme};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::dialogues::{may, municipalities_of, municipality_name};
use crate::error::AppError;
use crate::survey_views::percent;

fn render(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

fn actor(staff: &Staff) -> Actor<'_> {
    Actor { id: Some(&staff.id), name: &staff.name }
}

fn reference() -> Option<&'static ReferenceData> {
    static DATA: OnceLock<Option<ReferenceData>> = OnceLock::new();
    DATA.get_or_init(|| lofte_db::seed::reference_data().ok()).as_ref()
}

/// (county code, county name) of a municipality.
pub(crate) fn county_of(code: &str) -> Option<(String, String)> {
    let r = reference()?;
    let m = r.municipalities.iter().find(|m| m.code.as_str() == code)?;
    let c = r.counties.iter().find(|c| c.code == m.county_code)?;
    Some((c.code.clone(), c.name.clone()))
}

fn municipality_label(code: &str) -> String {
    reference()
        .and_then(|r| r.municipalities.iter().find(|m| m.code.as_str() == code))
        .map_or_else(|| code.to_owned(), |m| m.name.clone())
}

// ---------------------------------------------------------------------------------------------
// Building the document.

/// The figures of one region for rates: (region, year) → population.
type Population = HashMap<(String, String), f64>;

/// How many years back a rate may take its population from, when the period's own year has
/// none (population is published a year late and changes slowly).
const POPULATION_YEARS_BACK: i32 = 3;

fn population_of(population: &Population, region: &str, period: &str) -> Option<f64> {
    let year: i32 = period.get(..4)?.parse().ok()?;
    (0..=POPULATION_YEARS_BACK)
        .find_map(|back| population.get(&(region.to_owned(), (year - back).to_string())).copied())
}

fn points(series: &[(String, Option<f64>)], unit: Unit, region: &str, population: &Population) -> Vec<Point> {
    series
        .iter()
        .map(|(period, value)| {
            let rate = match (unit, value) {
                (Unit::Count, Some(v)) => population_of(population, region, period).and_then(|p| per_100k(*v, p)),
                _ => None,
            };
            Point { period: period.clone(), value: *value, rate }
        })
        .collect()
}

fn comparison(
    key: &str,
    unit: Unit,
    region: &str,
    name: &str,
    series: &Series,
    population: &Population,
    period: Option<&str>,
) -> Option<Comparison> {
    let all = points(series.get(key)?, unit, region, population);
    let point = match period {
        Some(p) => all.iter().find(|x| x.period == p)?,
        None => all.last()?,
    }
    .clone();
    Some(Comparison { region: region.to_owned(), name: name.to_owned(), point, series: all })
}

/// Every indicator with values for the municipality, as evidence (population itself left out).
/// `until`: periods of later years are left out (a lägesbild of 2026 shows nothing of 2027).
async fn statistics_of(
    state: &AppState,
    code: &str,
    indicators: &HashMap<String, Indicator>,
    until: Option<i32>,
) -> Result<Vec<StatisticEvidence>, AppError> {
    let county = county_of(code);
    let county_code = county.as_ref().map_or("", |c| c.0.as_str()).to_owned();
    let regions = [code, county_code.as_str(), NATION];
    let (mut own, in_county, in_nation, population) = tokio::try_join!(
        statistics::series_of_region(&state.db, code),
        statistics::series_of_region(&state.db, &county_code),
        statistics::series_of_region(&state.db, NATION),
        statistics::population(&state.db, &regions),
    )?;
    if let Some(until) = until {
        for series in own.values_mut() {
            series.retain(|(period, _)| lofte_domain::statistics::period_year(period).is_some_and(|y| y <= until));
        }
        own.retain(|_, series| !series.is_empty());
    }
    let name = municipality_label(code);
    let mut out = Vec::new();
    for (key, series) in &own {
        let Some(indicator) = indicators.get(key) else { continue };
        if key == statistics::POPULATION && indicators.len() > 1 {
            continue;
        }
        let mut indicator = indicator.clone();
        if key == statistics::POPULATION {
            // Population is the base of rates, not a count to take per 100 000 of itself.
            indicator.unit = Unit::Other;
        }
        let indicator = &indicator;
        let unit = indicator.unit;
        let pts = points(series, unit, code, &population);
        let latest = pts.iter().rev().find(|p| p.comparable(unit).is_some()).map(|p| p.period.clone());
        let county =
            county.as_ref().and_then(|(c, n)| comparison(key, unit, c, n, &in_county, &population, latest.as_deref()));
        let nation = comparison(key, unit, NATION, "Riket", &in_nation, &population, latest.as_deref());
        out.push(StatisticEvidence {
            indicator: indicator.clone(),
            region: code.to_owned(),
            region_name: name.clone(),
            trend: trend(&pts, unit),
            points: pts,
            county,
            nation,
        });
    }
    Ok(out)
}

/// The surveys the lägesbild uses: chosen ones, else the municipality's latest with answers up
/// to the lägesbild's year and the one before it.
fn surveys_for(l: &Lagesbild, all: &[surveys::Survey]) -> (Option<surveys::Survey>, Option<surveys::Survey>) {
    let mut own: Vec<&surveys::Survey> = all
        .iter()
        .filter(|s| l.municipalities.contains(&s.municipality_code) && s.responses > 0 && s.year <= i64::from(l.year))
        .collect();
    own.sort_by_key(|s| std::cmp::Reverse((s.year, s.updated_at.clone())));
    let find = |id: Option<Uuid>| id.and_then(|id| all.iter().find(|s| s.id == id)).cloned();
    let current = find(l.survey_id).or_else(|| own.first().map(|s| (*s).clone()));
    let previous = find(l.previous_survey_id).or_else(|| {
        let current_id = current.as_ref().map(|s| s.id);
        own.iter()
            .find(|s| Some(s.id) != current_id && current.as_ref().is_some_and(|c| s.year < c.year))
            .map(|s| (*s).clone())
    });
    (current, previous)
}

/// The indicator keys that are evidence for a problem: the defaults and staff's additions,
/// without what staff removed.
pub fn chosen_indicators(l: &Lagesbild, problem: &str) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = default_indicators(problem).iter().map(|k| (*k).to_owned()).collect();
    for c in l.choices.iter().filter(|c| c.problem == problem) {
        if c.chosen {
            keys.insert(c.indicator.clone());
        } else {
            keys.remove(&c.indicator);
        }
    }
    keys
}

/// Gathers every figure of a lägesbild and ranks its problems. `staff` adds notes and free texts.
pub async fn build(state: &AppState, l: &Lagesbild, staff: bool) -> Result<Document, AppError> {
    let vocabulary = problems::list(&state.db, &l.municipality_code).await?;
    let all_surveys = surveys::list(&state.db).await?;
    let (current, previous) = surveys_for(l, &all_surveys);
    let current_counts = match &current {
        Some(s) => Some(crate::survey_public::counts(state, s).await?),
        None => None,
    };
    let previous_counts = match &previous {
        Some(s) => Some(crate::survey_public::counts(state, s).await?),
        None => None,
    };
    let free_texts = match (&current, staff) {
        (Some(s), true) => surveys::free_texts(&state.db, s.id).await?,
        _ => Vec::new(),
    };
    let mut overview: BTreeMap<String, [i64; 5]> = BTreeMap::new();
    let mut held = [0i64; 5];
    for code in &l.municipalities {
        let o = dialogues::overview(&state.db, code, l.year).await?;
        for p in o.problems {
            let entry = overview.entry(p.problem).or_insert([0; 5]);
            for (i, n) in p.by_kind.iter().enumerate() {
                entry[i] += n;
            }
        }
        for (i, t) in o.totals.iter().enumerate() {
            held[i] += t.dialogues;
        }
    }
    let indicators: HashMap<String, Indicator> =
        statistics::indicators(&state.db).await?.into_iter().map(|i| (i.key.clone(), i)).collect();
    let mut all_statistics = Vec::new();
    for code in &l.municipalities {
        all_statistics.extend(statistics_of(state, code, &indicators, Some(l.year)).await?);
    }
    let kinds = DialogueKind::ALL;
    let mut list = Vec::new();
    for p in &vocabulary {
        let survey = current.as_ref().zip(current_counts.as_ref()).and_then(|(s, counts)| {
            let share = problem_share(&s.questionnaire, counts, &p.key)?;
            let min_cell = u64::try_from(s.min_cell).unwrap_or(5);
            let hidden = share.estimate(min_cell, true).is_none();
            let estimate = share.estimate(min_cell, !staff);
            let before = previous.as_ref().zip(previous_counts.as_ref()).and_then(|(ps, pc)| {
                let then = problem_share(&ps.questionnaire, pc, &p.key)?;
                let min_cell = u64::try_from(ps.min_cell).unwrap_or(5);
                let hidden = then.estimate(min_cell, true).is_none();
                Some((ps.title.clone(), then.estimate(min_cell, !staff)?, hidden))
            });
            Some(SurveyEvidence {
                survey_title: s.title.clone(),
                n: share.n,
                share: estimate,
                change: estimate
                    .zip(before.as_ref())
                    .and_then(|(now, (_, then, _))| lofte_domain::stats::difference(then, &now)),
                previous_title: before.as_ref().map(|(t, _, _)| t.clone()),
                previous_hidden: before.as_ref().is_some_and(|(_, _, h)| *h),
                previous: before.map(|(_, e, _)| e),
                hidden,
            })
        });
        let counts = overview.get(&p.key).copied().unwrap_or([0; 5]);
        let dialogues = DialogueEvidence {
            by_kind: kinds
                .iter()
                .zip(counts.iter())
                .map(|(k, n)| (k.label_sv().to_owned(), u64::try_from(*n).unwrap_or(0)))
                .collect(),
            total: counts.iter().map(|n| u64::try_from(*n).unwrap_or(0)).sum(),
        };
        let chosen = chosen_indicators(l, &p.key);
        let statistics: Vec<StatisticEvidence> =
            all_statistics.iter().filter(|e| chosen.contains(&e.indicator.key)).cloned().collect();
        let notes = l.notes_of(&p.key);
        list.push(Problem {
            key: p.key.clone(),
            name: p.name.clone(),
            survey,
            dialogues,
            statistics,
            analysis: notes.map(|n| n.analysis.clone()).unwrap_or_default(),
            notes: if staff { notes.map(|n| n.notes.clone()).unwrap_or_default() } else { String::new() },
            focus: notes.is_some_and(|n| n.focus),
            theme: notes.and_then(|n| n.theme.clone()),
            quotes: free_texts.iter().filter(|t| t.tags.contains(&p.key)).map(|t| t.text.clone()).collect(),
        });
    }
    Ok(Document {
        title: l.title.clone(),
        year: l.year,
        municipalities: l.municipalities.iter().map(|c| municipality_label(c)).collect(),
        summary: l.summary.clone(),
        weights: l.weights,
        problems: rank(list, &l.weights),
        statistics: all_statistics,
        dialogues_held: kinds
            .iter()
            .zip(held.iter())
            .map(|(k, n)| (k.label_sv().to_owned(), u64::try_from(*n).unwrap_or(0)))
            .collect(),
    })
}

/// The chart and table of one indicator in a municipality (with its county and the nation).
pub(crate) async fn stat_view_of(
    state: &AppState,
    indicator: &Indicator,
    code: &str,
) -> Result<Option<StatView>, AppError> {
    let one = HashMap::from([(indicator.key.clone(), indicator.clone())]);
    let evidence = statistics_of(state, code, &one, None).await?;
    Ok(evidence.first().map(|e| {
        let none = Vec::new();
        stat_view(e, e.county.as_ref().map_or(&none, |c| &c.series), e.nation.as_ref().map_or(&none, |c| &c.series))
    }))
}

// ---------------------------------------------------------------------------------------------
// View models.

/// "1 234,5": Swedish decimals, thin grouping.
pub fn number(x: f64) -> String {
    let decimals = if (x * 10.0).round() % 10.0 == 0.0 { 0 } else { 1 };
    let text = format!("{:.*}", decimals, x);
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("−", d));
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn score_text(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{:.2}", v).replace('.', ","))
}

pub struct ComponentView {
    pub label: &'static str,
    pub value: String,
    pub weight: u32,
    pub how: &'static str,
}

pub struct SurveyView {
    pub title: String,
    pub n: u64,
    /// Too few to show publicly (staff see the share, marked).
    pub hidden: bool,
    pub share: String,
    pub interval: String,
    pub previous_title: String,
    pub previous_share: String,
    pub previous_interval: String,
    pub change: String,
    pub change_interval: String,
    pub significant: bool,
    /// Bars: (label, x of share, lo, hi) in SVG units of 300.
    pub bars: Vec<(String, String, String, String, String)>,
}

pub struct StatLine {
    pub anchor: String,
    pub name: String,
    pub source: &'static str,
    pub polisen: bool,
    pub unit: &'static str,
    pub region_name: String,
    pub period: String,
    pub rate: String,
    pub county_name: String,
    pub county: String,
    pub nation: String,
    pub trend: String,
    pub better: &'static str,
}

pub struct ProblemView {
    pub rank: usize,
    pub key: String,
    pub name: String,
    pub score: String,
    pub bar: String,
    pub components: Vec<ComponentView>,
    pub survey: Option<SurveyView>,
    pub dialogues: Vec<(String, u64)>,
    pub dialogue_total: u64,
    pub stats: Vec<StatLine>,
    pub analysis: String,
    pub notes: String,
    pub quotes: Vec<String>,
    pub focus: bool,
    pub theme: String,
}

pub struct ChartLine {
    pub label: String,
    pub class: &'static str,
    pub points: String,
    /// Each point as a dot (x, y), so that a single period shows too.
    pub dots: Vec<(String, String)>,
}

pub struct TableRow {
    pub period: String,
    pub value: String,
    pub county: String,
    pub nation: String,
}

pub struct StatView {
    pub anchor: String,
    pub name: String,
    pub description: String,
    pub source: &'static str,
    pub polisen: bool,
    pub figure: &'static str,
    pub region_name: String,
    pub county_name: String,
    pub lines: Vec<ChartLine>,
    pub y_max: String,
    pub first: String,
    pub last: String,
    pub rows: Vec<TableRow>,
}

pub struct DocView {
    pub title: String,
    pub year: i32,
    pub municipalities: String,
    pub summary: String,
    pub weights: Weights,
    pub problems: Vec<ProblemView>,
    pub statistics: Vec<StatView>,
    pub dialogues_held: Vec<(String, u64)>,
    pub dialogue_total: u64,
    pub staff: bool,
}

fn anchor(key: &str) -> String {
    format!("ind-{}", lofte_domain::org::slugify(key))
}

fn stat_line(e: &StatisticEvidence) -> StatLine {
    let unit = e.indicator.unit;
    let latest = e.latest();
    let text = |p: Option<&Point>| match p {
        Some(p) => match (p.comparable(unit), p.value) {
            (Some(v), _) => number(v),
            // A count without population for its year: the count itself, said plainly.
            (None, Some(count)) if unit == Unit::Count => format!("{} st (folkmängd saknas)", number(count)),
            _ => "–".to_owned(),
        },
        None => "–".to_owned(),
    };
    let trend = e.trend.as_ref().map_or_else(
        || "–".to_owned(),
        |t| match t.relative {
            Some(r) => format!("{} {}–{}", format!("{:+.0} %", r * 100.0).replace('-', "−"), t.from, t.to),
            None => format!("{}–{}", t.from, t.to),
        },
    );
    StatLine {
        anchor: anchor(&e.indicator.key),
        name: e.indicator.name.clone(),
        source: e.indicator.source.sv(),
        polisen: e.indicator.source == Source::Polisen,
        unit: figure_of(unit),
        region_name: e.region_name.clone(),
        period: latest.map(|p| p.period.clone()).unwrap_or_default(),
        rate: text(latest),
        county_name: e.county.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "Länet".into()),
        county: text(e.county.as_ref().map(|c| &c.point)),
        nation: text(e.nation.as_ref().map(|c| &c.point)),
        trend,
        better: e.indicator.better.sv(),
    }
}

/// What the compared figure is.
fn figure_of(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "per 100 000 invånare (beräknat från SCB:s folkmängd samma år eller närmast före)",
        Unit::Other => "enligt källan",
        other => other.sv(),
    }
}

const CHART_W: f64 = 400.0;
const CHART_H: f64 = 160.0;

fn stat_view(e: &StatisticEvidence, county_series: &[Point], nation_series: &[Point]) -> StatView {
    let unit = e.indicator.unit;
    let periods: Vec<String> = e.points.iter().map(|p| p.period.clone()).collect();
    let find =
        |series: &[Point], period: &str| series.iter().find(|p| p.period == period).and_then(|p| p.comparable(unit));
    let rows: Vec<TableRow> = e
        .points
        .iter()
        .map(|p| TableRow {
            period: p.period.clone(),
            value: p.comparable(unit).map_or_else(|| "–".to_owned(), number),
            county: find(county_series, &p.period).map_or_else(|| "–".to_owned(), number),
            nation: find(nation_series, &p.period).map_or_else(|| "–".to_owned(), number),
        })
        .collect();
    let own: Vec<Option<f64>> = e.points.iter().map(|p| p.comparable(unit)).collect();
    let county: Vec<Option<f64>> = periods.iter().map(|p| find(county_series, p)).collect();
    let nation: Vec<Option<f64>> = periods.iter().map(|p| find(nation_series, p)).collect();
    let max = own.iter().chain(&county).chain(&nation).flatten().fold(0.0f64, |a, b| a.max(*b));
    let n = periods.len().max(2) - 1;
    let xy = |values: &[Option<f64>]| -> Vec<(String, String)> {
        values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|v| {
                    let x = if periods.len() == 1 { CHART_W / 2.0 } else { i as f64 / n as f64 * CHART_W };
                    let y = if max > 0.0 { CHART_H - v / max * CHART_H } else { CHART_H };
                    (format!("{x:.1}"), format!("{y:.1}"))
                })
            })
            .collect()
    };
    let line = |label: String, class: &'static str, values: &[Option<f64>]| {
        let dots = xy(values);
        let points = dots.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" ");
        ChartLine { label, class, points, dots }
    };
    let county_name = e.county.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "Länet".into());
    let mut lines = vec![line(e.region_name.clone(), "line-own", &own)];
    if county.iter().any(Option::is_some) {
        lines.push(line(county_name.clone(), "line-county", &county));
    }
    if nation.iter().any(Option::is_some) {
        lines.push(line("Riket".into(), "line-nation", &nation));
    }
    StatView {
        anchor: anchor(&e.indicator.key),
        name: e.indicator.name.clone(),
        description: e.indicator.description.clone(),
        source: e.indicator.source.sv(),
        polisen: e.indicator.source == Source::Polisen,
        figure: figure_of(unit),
        region_name: e.region_name.clone(),
        county_name,
        lines,
        y_max: number(max),
        first: periods.first().cloned().unwrap_or_default(),
        last: periods.last().cloned().unwrap_or_default(),
        rows,
    }
}

fn survey_view(s: &SurveyEvidence) -> SurveyView {
    let interval =
        |e: &lofte_domain::stats::Estimate| format!("{}–{}", percent(e.lo), percent(e.hi)).replace(" %–", "–");
    let x = |v: f64| format!("{:.1}", v * 300.0);
    let mut bars = Vec::new();
    if let Some(e) = &s.share {
        bars.push((s.survey_title.clone(), x(e.share), x(e.lo), x(e.hi), percent(e.share)));
    }
    if let (Some(e), Some(t)) = (&s.previous, &s.previous_title) {
        bars.push((t.clone(), x(e.share), x(e.lo), x(e.hi), percent(e.share)));
    }
    SurveyView {
        title: s.survey_title.clone(),
        n: s.n,
        hidden: s.hidden,
        share: s.share.as_ref().map_or_else(|| "–".to_owned(), |e| percent(e.share)),
        interval: s.share.as_ref().map_or_else(|| "–".to_owned(), interval),
        previous_title: s.previous_title.clone().unwrap_or_default(),
        previous_share: s.previous.as_ref().map_or_else(|| "–".to_owned(), |e| percent(e.share)),
        previous_interval: s.previous.as_ref().map_or_else(|| "–".to_owned(), interval),
        change: s
            .change
            .as_ref()
            .map_or_else(|| "–".to_owned(), |d| format!("{:+.1}", d.diff * 100.0).replace('.', ",").replace('-', "−")),
        change_interval: s.change.as_ref().map_or_else(
            || "–".to_owned(),
            |d| format!("{:.1} till {:.1}", d.lo * 100.0, d.hi * 100.0).replace('.', ",").replace('-', "−"),
        ),
        significant: s.change.as_ref().is_some_and(|d| d.significant),
        bars,
    }
}

fn problem_view(r: &Ranked, w: &Weights) -> ProblemView {
    let c = &r.components;
    let part = |v: Option<f64>| score_text(v);
    ProblemView {
        rank: r.rank,
        key: r.problem.key.clone(),
        name: r.problem.name.clone(),
        score: score_text(r.score),
        bar: format!("{:.1}", r.score.unwrap_or(0.0) * 300.0),
        components: vec![
            ComponentView {
                label: "Enkät",
                value: part(c.survey),
                weight: w.survey,
                how: "andelen som ser ett stort problem",
            },
            ComponentView {
                label: "Dialoger",
                value: part(c.dialogue),
                weight: w.dialogue,
                how: "dialoger som tog upp problemet delat med det problem som togs upp flest gånger",
            },
            ComponentView {
                label: "Nivå",
                value: part(c.level),
                weight: w.level,
                how: "kommunens värde delat med rikets (annars länets), halverat och högst 1",
            },
            ComponentView {
                label: "Trend",
                value: part(c.trend),
                weight: w.trend,
                how: "0,5 plus den relativa förändringen åt det sämre hållet de senaste fem åren, mellan 0 och 1",
            },
        ],
        survey: r.problem.survey.as_ref().map(survey_view),
        dialogues: r.problem.dialogues.by_kind.clone(),
        dialogue_total: r.problem.dialogues.total,
        stats: r.problem.statistics.iter().map(stat_line).collect(),
        analysis: r.problem.analysis.clone(),
        notes: r.problem.notes.clone(),
        quotes: r.problem.quotes.clone(),
        focus: r.problem.focus,
        theme: r.problem.theme.clone().unwrap_or_default(),
    }
}

/// The view of a document.
pub fn doc_view(d: &Document, staff: bool) -> DocView {
    let statistics = d
        .statistics
        .iter()
        .map(|e| {
            let none = Vec::new();
            let county = e.county.as_ref().map_or(&none, |c| &c.series);
            let nation = e.nation.as_ref().map_or(&none, |c| &c.series);
            stat_view(e, county, nation)
        })
        .collect();
    DocView {
        title: d.title.clone(),
        year: d.year,
        municipalities: d.municipalities.join(", "),
        summary: d.summary.clone(),
        weights: d.weights,
        problems: d.problems.iter().map(|r| problem_view(r, &d.weights)).collect(),
        statistics,
        dialogue_total: d.dialogues_held.iter().map(|(_, n)| n).sum(),
        dialogues_held: d.dialogues_held.clone(),
        staff,
    }
}

// ---------------------------------------------------------------------------------------------
// Staff: list and create.

#[derive(Template)]
#[template(path = "lagesbild_list.html")]
struct ListPage {
    search_value: String,
    choices: Vec<(String, String)>,
    code: String,
    name: String,
    list: Vec<store::Summary>,
    last_snapshot: Option<String>,
    overdue: bool,
    can_edit: bool,
    year: String,
    title: String,
    others: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    kommun: String,
}

async fn list_page(state: &AppState, staff: &Staff, code: &str) -> Result<ListPage, AppError> {
    let choices = municipalities_of(state, staff, false).await?;
    let mut p = ListPage {
        search_value: String::new(),
        choices,
        code: code.to_owned(),
        name: String::new(),
        list: vec![],
        last_snapshot: None,
        overdue: false,
        can_edit: false,
        year: crate::views::today().0.year().to_string(),
        title: String::new(),
        others: String::new(),
        error: None,
    };
    if code.is_empty() {
        return Ok(p);
    }
    let Some(name) = municipality_name(state, code).await? else { return Err(AppError::NotFound) };
    if !may(state, staff, code, false).await? {
        return Err(AppError::Forbidden);
    }
    p.name = name.clone();
    p.title = format!("Lägesbild {} {}", name, p.year);
    p.can_edit = may(state, staff, code, true).await?;
    p.list = store::list(&state.db, code).await?;
    for l in &mut p.list {
        l.updated_at = crate::views::time_label(&l.updated_at);
    }
    p.last_snapshot = store::last_snapshot_on(&state.db, code).await?;
    let today = crate::views::today().0;
    p.overdue = match &p.last_snapshot {
        None => true,
        Some(day) => lofte_domain::IsoDate::parse(day).is_none_or(|d| (today - d.0).whole_days() > 730),
    };
    Ok(p)
}

/// `/arbetsyta/lagesbild?kommun=1785`: a municipality's lägesbilder, when the last was made, a
/// new one.
pub async fn index(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<ListParams>,
) -> Result<Response, AppError> {
    let choices = municipalities_of(&state, &staff, false).await?;
    let code = match q.kommun.trim() {
        "" if !staff.is_admin => choices.first().map(|(c, _)| c.clone()).unwrap_or_default(),
        c => c.to_owned(),
    };
    render(StatusCode::OK, &list_page(&state, &staff, &code).await?)
}

#[derive(Deserialize, Default)]
pub struct CreateForm {
    #[serde(default)]
    kommun: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    /// Further municipalities of an agreement, comma separated codes or names.
    #[serde(default)]
    others: String,
}

/// Creates a lägesbild; a bad form comes back with what was typed.
pub async fn create(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(form): Form<CreateForm>,
) -> Result<Response, AppError> {
    let code = form.kommun.trim().to_owned();
    let mut p = list_page(&state, &staff, &code).await?;
    if code.is_empty() {
        p.error = Some("Välj en kommun.".into());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    if !p.can_edit {
        return Err(AppError::Forbidden);
    }
    p.year = form.year.trim().to_owned();
    p.title = form.title.trim().to_owned();
    p.others = form.others.trim().to_owned();
    let fail = |mut p: ListPage, message: String| {
        p.error = Some(message);
        render(StatusCode::UNPROCESSABLE_ENTITY, &p)
    };
    let Some(year) = p.year.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)) else {
        return fail(p, "Skriv året med fyra siffror, t.ex. 2025.".into());
    };
    if p.title.is_empty() || p.title.chars().count() > 200 || p.title.chars().any(char::is_control) {
        return fail(p, "Skriv en rubrik (högst 200 tecken).".into());
    }
    let mut codes = vec![code.clone()];
    for other in form.others.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let found = reference().and_then(|r| {
            r.municipalities.iter().find(|m| m.code.as_str() == other || m.name.eq_ignore_ascii_case(other))
        });
        match found {
            Some(m) if may(&state, &staff, m.code.as_str(), true).await? => codes.push(m.code.as_str().to_owned()),
            Some(m) => return fail(p, format!("Du får inte redigera för {}.", m.name)),
            None => return fail(p, format!("Okänd kommun ”{other}”.")),
        }
    }
    match store::create(&state.db, &codes, year, &p.title, actor(&staff)).await {
        Ok(id) => Ok(Redirect::to(&format!("/arbetsyta/lagesbild/{id}")).into_response()),
        Err(DbError::Invalid(errors)) => {
            let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
            fail(p, message)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Staff: one lägesbild.

async fn authorised(state: &AppState, staff: &Staff, id: &str, edit: bool) -> Result<Lagesbild, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let code = store::municipality_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may(state, staff, &code, edit).await? {
        return Err(AppError::Forbidden);
    }
    store::get(&state.db, id).await?.ok_or(AppError::NotFound)
}

pub struct DraftChoice {
    pub id: String,
    pub title: String,
    pub themes: Vec<String>,
}

#[derive(Template)]
#[template(path = "lagesbild.html")]
struct StaffPage {
    search_value: String,
    id: String,
    code: String,
    version: i64,
    doc: DocView,
    can_edit: bool,
    drafts: Vec<DraftChoice>,
    snapshots: Vec<store::Snapshot>,
    updated: String,
    message: Option<String>,
    error: Option<String>,
}

async fn drafts_of(state: &AppState, code: &str) -> Result<Vec<DraftChoice>, AppError> {
    let mut out = Vec::new();
    for d in lofte_db::municipalities::documents(&state.db, code, true).await? {
        let Ok(id) = Uuid::parse_str(&d.id) else { continue };
        let Some(stored) = lofte_db::promises::get(&state.db, id).await? else { continue };
        if stored.document.status != Status::Draft {
            continue;
        }
        out.push(DraftChoice {
            id: d.id.clone(),
            title: format!("{} ({})", stored.document.title, stored.document.year),
            themes: stored.document.themes.iter().map(|t| t.name.clone()).collect(),
        });
    }
    Ok(out)
}

async fn staff_page(
    state: &AppState,
    staff: &Staff,
    l: Lagesbild,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let doc = build(state, &l, true).await?;
    let p = StaffPage {
        search_value: String::new(),
        id: l.id.to_string(),
        code: l.municipality_code.clone(),
        version: l.version,
        doc: doc_view(&doc, true),
        can_edit: may(state, staff, &l.municipality_code, true).await?,
        drafts: drafts_of(state, &l.municipality_code).await?,
        snapshots: store::snapshots(&state.db, l.id).await?,
        updated: format!("{} av {}", crate::views::time_label(&l.updated_at), l.updated_by),
        message,
        error,
    };
    render(status, &p)
}

/// `/arbetsyta/lagesbild/{id}`: the lägesbild as it stands, with its actions.
pub async fn view(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, false).await?;
    let message = match q.get("klart").map(String::as_str) {
        Some("sparad") => Some("Lägesbilden är sparad.".to_owned()),
        Some("fokus") => Some("Fokusområdet är ändrat.".to_owned()),
        Some("fastställd") => Some("En daterad ögonblicksbild är sparad.".to_owned()),
        _ => None,
    };
    staff_page(&state, &staff, l, StatusCode::OK, message, None).await
}

/// The JSON of the lägesbild as it stands (staff: with notes and free texts).
pub async fn json(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, false).await?;
    let doc = build(&state, &l, true).await?;
    json_response(&doc, &format!("lagesbild-{}-{}.json", l.municipality_code, l.year))
}

fn json_response(doc: &Document, filename: &str) -> Result<Response, AppError> {
    let body = serde_json::to_vec_pretty(doc).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "lagesbild_print.html")]
struct PrintPage {
    doc: DocView,
    made: String,
}

/// Print view (staff, live): the document without the site's chrome.
pub async fn print(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, false).await?;
    let doc = build(&state, &l, true).await?;
    render(
        StatusCode::OK,
        &PrintPage {
            doc: doc_view(&doc, true),
            made: format!(
                "Utskrift {} av lägesbilden som den ser ut nu (inte en fastställd ögonblicksbild)",
                crate::views::today()
            ),
        },
    )
}

// Edit form.

pub struct ProblemField {
    pub key: String,
    pub name: String,
    pub analysis: String,
    pub notes: String,
    /// (indicator key, name, chosen)
    pub indicators: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "lagesbild_edit.html")]
struct EditPage {
    search_value: String,
    id: String,
    heading: String,
    version: i64,
    title: String,
    summary: String,
    survey: String,
    previous: String,
    weights: [(&'static str, &'static str, String); 4],
    surveys: Vec<(String, String)>,
    problems: Vec<ProblemField>,
    errors: Vec<(String, String)>,
    stale: bool,
}

impl EditPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn weight_fields(w: [String; 4]) -> [(&'static str, &'static str, String); 4] {
    let [s, d, l, t] = w;
    [
        ("survey", "Enkät (andel som ser ett stort problem)", s),
        ("dialogue", "Dialoger (hur ofta problemet togs upp)", d),
        ("level", "Nivå jämfört med riket eller länet", l),
        ("trend", "Trend de senaste fem åren", t),
    ]
}

async fn edit_page(state: &AppState, l: &Lagesbild) -> Result<EditPage, AppError> {
    let vocabulary = problems::list(&state.db, &l.municipality_code).await?;
    let mut with_values: BTreeSet<String> = BTreeSet::new();
    for code in &l.municipalities {
        with_values.extend(statistics::series_of_region(&state.db, code).await?.into_keys());
    }
    let indicators: Vec<Indicator> = statistics::indicators(&state.db)
        .await?
        .into_iter()
        .filter(|i| {
            i.key != statistics::POPULATION
                && (with_values.contains(&i.key) || l.choices.iter().any(|c| c.indicator == i.key))
        })
        .collect();
    let surveys: Vec<(String, String)> = surveys::list(&state.db)
        .await?
        .into_iter()
        .filter(|s| l.municipalities.contains(&s.municipality_code))
        .map(|s| (s.id.to_string(), format!("{} ({}, {} svar)", s.title, s.year, s.responses)))
        .collect();
    let w = l.weights;
    Ok(EditPage {
        search_value: String::new(),
        id: l.id.to_string(),
        heading: l.title.clone(),
        version: l.version,
        title: l.title.clone(),
        summary: l.summary.clone(),
        survey: l.survey_id.map(|u| u.to_string()).unwrap_or_default(),
        previous: l.previous_survey_id.map(|u| u.to_string()).unwrap_or_default(),
        weights: weight_fields([w.survey, w.dialogue, w.level, w.trend].map(|x| x.to_string())),
        surveys,
        problems: vocabulary
            .iter()
            .map(|p| {
                let chosen = chosen_indicators(l, &p.key);
                let notes = l.notes_of(&p.key);
                ProblemField {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    analysis: notes.map(|n| n.analysis.clone()).unwrap_or_default(),
                    notes: notes.map(|n| n.notes.clone()).unwrap_or_default(),
                    indicators: indicators
                        .iter()
                        .map(|i| (i.key.clone(), i.name.clone(), chosen.contains(&i.key)))
                        .collect(),
                }
            })
            .collect(),
        errors: Vec::new(),
        stale: false,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, true).await?;
    render(StatusCode::OK, &edit_page(&state, &l).await?)
}

const MAX_TEXT: usize = 20_000;

fn clean(text: &str) -> Option<String> {
    let t = text.replace("\r\n", "\n");
    (t.chars().count() <= MAX_TEXT && !t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'))
        .then(|| t.trim().to_owned())
}

/// Saves the edit form (fields arrive as pairs: `analysis.<key>`, `notes.<key>`, `ind.<key>` one
/// per chosen indicator with the indicator key as value). A failed or stale save comes back
/// with what was typed.
pub async fn edit(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, true).await?;
    let one = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut p = edit_page(&state, &l).await?;
    p.title = one("title").trim().to_owned();
    p.summary = one("summary");
    p.survey = one("survey");
    p.previous = one("previous");
    p.weights = weight_fields(["survey", "dialogue", "level", "trend"].map(|f| one(&format!("weight.{f}"))));
    for pf in &mut p.problems {
        pf.analysis = one(&format!("analysis.{}", pf.key));
        pf.notes = one(&format!("notes.{}", pf.key));
        let chosen: BTreeSet<&str> =
            fields.iter().filter(|(k, _)| *k == format!("ind.{}", pf.key)).map(|(_, v)| v.as_str()).collect();
        for (key, _, on) in &mut pf.indicators {
            *on = chosen.contains(key.as_str());
        }
    }
    let mut errors = Vec::new();
    if p.title.is_empty() || p.title.chars().count() > 200 || p.title.chars().any(char::is_control) {
        errors.push(("title".to_owned(), "Skriv en rubrik (högst 200 tecken).".to_owned()));
    }
    let summary = clean(&p.summary);
    if summary.is_none() {
        errors.push(("summary".to_owned(), format!("Texten får vara högst {MAX_TEXT} tecken.")));
    }
    let weights = match parse_weights(&p.weights[0].2, &p.weights[1].2, &p.weights[2].2, &p.weights[3].2) {
        Ok(w) => Some(w),
        Err(e) => {
            errors.extend(e.into_iter().map(|(f, m)| (format!("weight.{f}"), m)));
            None
        }
    };
    let survey_id = |raw: &str, field: &str, errors: &mut Vec<(String, String)>| -> Option<Uuid> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match Uuid::parse_str(raw) {
            Ok(u) if p.surveys.iter().any(|(id, _)| id == raw) => Some(u),
            _ => {
                errors.push((field.to_owned(), "Välj en av kommunens enkäter.".to_owned()));
                None
            }
        }
    };
    let survey = survey_id(&p.survey, "survey", &mut errors);
    let previous = survey_id(&p.previous, "previous", &mut errors);
    let mut texts = Vec::new();
    for pf in &p.problems {
        match (clean(&pf.analysis), clean(&pf.notes)) {
            (Some(a), Some(n)) => texts.push((pf.key.clone(), a, n)),
            _ => errors.push((format!("analysis.{}", pf.key), format!("Texten får vara högst {MAX_TEXT} tecken."))),
        }
    }
    let Some(base) = one("version").trim().parse::<i64>().ok() else {
        p.errors = vec![("version".into(), "Formuläret saknade versionsuppgift. Försök igen.".into())];
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    if !errors.is_empty() {
        p.version = base;
        p.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let mut choices = Vec::new();
    for pf in &p.problems {
        let defaults: BTreeSet<&str> = default_indicators(&pf.key).iter().copied().collect();
        for (key, _, on) in &pf.indicators {
            let default = defaults.contains(key.as_str());
            if *on != default {
                choices.push(Choice { problem: pf.key.clone(), indicator: key.clone(), chosen: *on });
            }
        }
    }
    let edit = Edit {
        title: p.title.clone(),
        summary: summary.unwrap_or_default(),
        weights: weights.unwrap_or_default(),
        survey_id: survey,
        previous_survey_id: previous,
        problems: texts,
        choices,
    };
    match store::save(&state.db, l.id, base, &edit, actor(&staff)).await {
        Ok(_) => Ok(Redirect::to(&format!("/arbetsyta/lagesbild/{}?klart=sparad", l.id)).into_response()),
        Err(DbError::Stale(current)) => {
            p.version = current;
            p.stale = true;
            render(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(e.into()),
    }
}

// Focus areas.

#[derive(Deserialize, Default)]
pub struct FocusForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    problem: String,
    /// `link`, or `unlink`.
    #[serde(default)]
    action: String,
    /// `<draft id>|<theme name>` of an existing theme, or `<draft id>|` for a new theme.
    #[serde(default)]
    target: String,
    /// Name of a new theme (default: the problem's name).
    #[serde(default)]
    theme: String,
}

/// Marks a problem as a focus area: links it to a theme of a promise draft, creating the theme
/// when it is new; or unmarks it. The draft is saved (with its own version check) before the
/// link, so a failed draft save links nothing.
pub async fn focus(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<FocusForm>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, true).await?;
    let fail = |l: Lagesbild, message: &str| {
        let state = state.clone();
        let staff = staff.clone();
        let message = message.to_owned();
        async move { staff_page(&state, &staff, l, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)).await }
    };
    let Ok(base) = form.version.trim().parse::<i64>() else {
        return fail(l, "Formuläret saknade versionsuppgift. Försök igen.").await;
    };
    // A stale form changes nothing: not the draft either (checked again when linking).
    if base != l.version {
        return fail(l, "Lägesbilden ändrades av någon annan. Sidan visar nu den senaste versionen; välj igen.").await;
    }
    let vocabulary = problems::list(&state.db, &l.municipality_code).await?;
    let Some(problem) = vocabulary.iter().find(|p| p.key == form.problem) else {
        return fail(l, "Välj ett problem ur listan.").await;
    };
    let link = if form.action == "unlink" {
        None
    } else {
        let Some((draft, theme)) = form.target.split_once('|') else {
            return fail(l, "Välj ett utkast att lägga fokusområdet i.").await;
        };
        let Ok(draft_id) = Uuid::parse_str(draft) else {
            return fail(l, "Välj ett utkast att lägga fokusområdet i.").await;
        };
        let Some(stored) = lofte_db::promises::get(&state.db, draft_id).await? else {
            return fail(l, "Utkastet finns inte längre.").await;
        };
        let doc: PromiseDocument = stored.document.clone();
        if doc.status != Status::Draft || !doc.municipalities.iter().any(|m| l.municipalities.contains(&m.code)) {
            return fail(l, "Fokusområden kan bara läggas i kommunens utkast.").await;
        }
        let orgs = lofte_db::drafts::parties(&state.db, draft_id).await?.map(|(_, o)| o).unwrap_or_default();
        if !staff.can_edit(&orgs) {
            return Err(AppError::Forbidden);
        }
        let theme = if theme.is_empty() {
            let name = match form.theme.trim() {
                "" => problem.name.clone(),
                t => t.to_owned(),
            };
            if name.chars().count() > 200 || name.chars().any(char::is_control) {
                return fail(l, "Fokusområdets namn får vara högst 200 tecken.").await;
            }
            if !doc.themes.iter().any(|t| t.name == name) {
                let mut changed = doc.clone();
                changed.themes.push(Theme { name: name.clone(), activities: Vec::new() });
                match lofte_db::drafts::save(&state.db, changed, stored.version, actor(&staff)).await {
                    Ok(_) => {}
                    Err(DbError::Stale(_)) => {
                        return fail(l, "Utkastet ändrades av någon annan just nu. Försök igen.").await;
                    }
                    Err(DbError::Invalid(errors)) => {
                        let m = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
                        return fail(l, &m).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            name
        } else if doc.themes.iter().any(|t| t.name == theme) {
            theme.to_owned()
        } else {
            return fail(l, "Fokusområdet finns inte i utkastet.").await;
        };
        Some((draft_id, theme))
    };
    match store::set_focus(
        &state.db,
        l.id,
        base,
        &problem.key,
        link.as_ref().map(|(d, t)| (*d, t.as_str())),
        actor(&staff),
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/arbetsyta/lagesbild/{}?klart=fokus#problem-{}", l.id, problem.key))
                .into_response())
        }
        Err(DbError::Stale(_)) => {
            let fresh = store::get(&state.db, l.id).await?.ok_or(AppError::NotFound)?;
            fail(fresh, "Lägesbilden ändrades av någon annan. Sidan visar nu den senaste versionen; välj igen.").await
        }
        Err(e) => Err(e.into()),
    }
}

// Snapshots.

#[derive(Deserialize, Default)]
pub struct SnapshotForm {
    #[serde(default)]
    public: String,
}

/// Saves a dated snapshot of the lägesbild as it stands (published with `public=1`).
pub async fn snapshot(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<SnapshotForm>,
) -> Result<Response, AppError> {
    let l = authorised(&state, &staff, &id, true).await?;
    let public = form.public == "1";
    if public {
        let all = surveys::list(&state.db).await?;
        let (current, previous) = surveys_for(&l, &all);
        if let Some(s) = [current, previous].into_iter().flatten().find(|s| !s.results_public) {
            let message = format!(
                "Lägesbilden bygger på enkäten ”{}”, vars resultat inte är publicerade. Publicera enkätens resultat \
                 först, välj en annan enkät under Redigera, eller spara ögonblicksbilden utan att publicera den.",
                s.title
            );
            return staff_page(&state, &staff, l, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)).await;
        }
    }
    let doc = build(&state, &l, true).await?;
    let content = serde_json::to_string(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
    let today = crate::views::today().to_string();
    store::snapshot(&state.db, l.id, &today, public, &content, actor(&staff)).await?;
    Ok(Redirect::to(&format!("/arbetsyta/lagesbild/{}?klart=fastställd", l.id)).into_response())
}

#[derive(Template)]
#[template(path = "lagesbild_snapshot.html")]
struct SnapshotPage {
    search_value: String,
    id: String,
    snapshot: store::Snapshot,
    doc: DocView,
}

fn document_of(content: &str) -> Result<Document, AppError> {
    serde_json::from_str(content).map_err(|_| AppError::Internal("stored lägesbild snapshot is not readable".into()))
}

/// A snapshot of lägesbild `id` the person may read, with its document.
async fn snapshot_of(
    state: &AppState,
    staff: &Staff,
    id: &str,
    snapshot: &str,
) -> Result<(Lagesbild, store::Snapshot, Document), AppError> {
    let l = authorised(state, staff, id, false).await?;
    let sid = Uuid::parse_str(snapshot).map_err(|_| AppError::NotFound)?;
    let (s, content) = store::get_snapshot(&state.db, sid).await?.ok_or(AppError::NotFound)?;
    if s.lagesbild_id != l.id {
        return Err(AppError::NotFound);
    }
    let doc = document_of(&content)?;
    Ok((l, s, doc))
}

/// A snapshot as it was saved (staff view).
pub async fn snapshot_view(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path((id, snapshot)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (l, s, doc) = snapshot_of(&state, &staff, &id, &snapshot).await?;
    render(
        StatusCode::OK,
        &SnapshotPage { search_value: String::new(), id: l.id.to_string(), snapshot: s, doc: doc_view(&doc, true) },
    )
}

/// A snapshot's print view: the document as it was fixed (staff view), without the site's chrome.
pub async fn snapshot_print(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path((id, snapshot)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, s, doc) = snapshot_of(&state, &staff, &id, &snapshot).await?;
    let made = format!("Fastställd {} av {}{}", s.made_on, s.made_by, if s.public { ", publicerad" } else { "" });
    render(StatusCode::OK, &PrintPage { doc: doc_view(&doc, true), made })
}

// ---------------------------------------------------------------------------------------------
// Public.

#[derive(Template)]
#[template(path = "lagesbild_public.html")]
struct PublicPage {
    search_value: String,
    slug: String,
    municipality: String,
    made_on: String,
    doc: DocView,
    others: Vec<(i32, String)>,
}

async fn published(
    state: &AppState,
    key: &str,
    year: &str,
) -> Result<(String, String, store::Snapshot, Document, Vec<(i32, String)>), AppError> {
    let m = lofte_db::municipalities::find(&state.db, key, crate::views::today()).await?.ok_or(AppError::NotFound)?;
    let year: i32 = year.trim_end_matches(".json").parse().map_err(|_| AppError::NotFound)?;
    let list = store::public_of(&state.db, &m.code).await?;
    let (id, _, _) = list.iter().find(|(_, y, _)| *y == year).ok_or(AppError::NotFound)?;
    let (snapshot, content) = store::latest_public(&state.db, *id).await?.ok_or(AppError::NotFound)?;
    let doc = document_of(&content)?.public();
    let others = list.iter().map(|(_, y, t)| (*y, t.clone())).collect();
    Ok((m.slug, m.name, snapshot, doc, others))
}

/// `/kommun/{slug}/lagesbild/{year}`: the latest published snapshot, aggregated figures only.
pub async fn public_page(
    State(state): State<AppState>,
    Path((key, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    if year.ends_with(".json") {
        let (slug, _, _, doc, _) = published(&state, &key, &year).await?;
        return json_response(&doc, &format!("lagesbild-{slug}-{}.json", doc.year));
    }
    let (slug, municipality, snapshot, doc, others) = published(&state, &key, &year).await?;
    render(
        StatusCode::OK,
        &PublicPage {
            search_value: String::new(),
            slug,
            municipality,
            made_on: snapshot.made_on,
            doc: doc_view(&doc, false),
            others,
        },
    )
}

/// "Därför" beside a focus area of a public promise: the evidence of the problems linked to it,
/// from the latest published snapshot of their lägesbild.
pub struct Because {
    pub theme: String,
    pub problems: Vec<ProblemView>,
    /// Link to the public lägesbild.
    pub link: String,
    pub made_on: String,
}

/// The "Därför" boxes of a promise document, by theme.
pub async fn because_of(state: &AppState, document_id: Uuid, slug: &str) -> Result<Vec<Because>, AppError> {
    let links = store::focus_links(&state.db, document_id).await?;
    let mut out: Vec<Because> = Vec::new();
    let mut docs: HashMap<Uuid, Option<(store::Snapshot, Document)>> = HashMap::new();
    for (theme, lagesbild, key) in links {
        if let std::collections::hash_map::Entry::Vacant(slot) = docs.entry(lagesbild) {
            let latest = store::latest_public(&state.db, lagesbild).await?;
            slot.insert(latest.map(|(s, c)| document_of(&c).map(|d| (s, d.public()))).transpose()?);
        }
        let Some(Some((snapshot, doc))) = docs.get(&lagesbild) else { continue };
        let Some(r) = doc.problems.iter().find(|r| r.problem.key == key) else { continue };
        let view = problem_view(r, &doc.weights);
        match out.iter_mut().find(|b| b.theme == theme) {
            Some(b) => b.problems.push(view),
            None => out.push(Because {
                theme,
                problems: vec![view],
                link: format!("/kommun/{slug}/lagesbild/{}", doc.year),
                made_on: snapshot.made_on.clone(),
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_swedish() {
        assert_eq!(number(1234.5), "1\u{a0}234,5");
        assert_eq!(number(812.04), "812");
        assert_eq!(number(12.25), "12,2");
        assert_eq!(number(-3.0), "−3");
        assert_eq!(number(1_234_567.0), "1\u{a0}234\u{a0}567");
    }
}
