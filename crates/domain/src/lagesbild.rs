//! The lägesbild: a municipality's (or an agreement's) local problems, ranked by a transparent
//! priority score, each with its evidence side by side: the survey (share who see a big problem,
//! its interval, the change since the previous survey), the dialogues (how many raised it, by
//! kind of dialogue) and the statistics (level, trend, comparison with the county and the
//! nation).
//!
//! Everything here is a pure function of figures the database has read. A [`Document`] is also
//! what a dated snapshot stores (as JSON) and what the JSON export gives, so old snapshots render
//! with the figures they showed.
//!
//! The score of a problem is the weighted mean of the components it has evidence for, each in
//! `[0, 1]`:
//! - survey: the share of respondents who see a big problem ("mycket" or "ganska stort");
//! - dialogue: the dialogues that raised it divided by the most any problem was raised;
//! - level: for indicators with a better direction, the municipality's value (per 100 000 where
//!   it is a count) against the nation's (else the county's): `ratio / 2`, capped at 1, so equal to
//!   the nation scores 0.5 and twice as bad 1.0;
//! - trend: the relative change from the first to the last year of the last five, in the bad
//!   direction: `0.5 + change`, clamped, so unchanged scores 0.5 and 50 % worse 1.0.
//!
//! A component without evidence is left out of both sums, so a missing survey neither lowers nor
//! raises a problem. Weights are whole numbers 0–10 that staff set.

use serde::{Deserialize, Serialize};

use crate::org::sv_sort_key;
use crate::statistics::{Better, Indicator, Unit};
use crate::stats::{Difference, Estimate};

/// The largest weight.
pub const MAX_WEIGHT: u32 = 10;

/// How much each kind of evidence counts in the priority score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights {
    pub survey: u32,
    pub dialogue: u32,
    pub level: u32,
    pub trend: u32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { survey: 3, dialogue: 2, level: 3, trend: 2 }
    }
}

/// The weights of a form, or the Swedish error of each field that was wrong.
pub fn parse_weights(survey: &str, dialogue: &str, level: &str, trend: &str) -> Result<Weights, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut one = |field: &str, raw: &str| -> u32 {
        match raw.trim().parse::<u32>() {
            Ok(w) if w <= MAX_WEIGHT => w,
            _ => {
                errors.push((field.to_owned(), format!("Ange en vikt som ett heltal från 0 till {MAX_WEIGHT}.")));
                0
            }
        }
    };
    let w = Weights {
        survey: one("survey", survey),
        dialogue: one("dialogue", dialogue),
        level: one("level", level),
        trend: one("trend", trend),
    };
    if errors.is_empty() { Ok(w) } else { Err(errors) }
}

/// What the survey says of a problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurveyEvidence {
    pub survey_title: String,
    /// Respondents who took a stand (answered, not "vet ej").
    pub n: u64,
    /// The share who see a big problem with its 95 % interval; `None` when too few to show.
    pub share: Option<Estimate>,
    pub previous_title: Option<String>,
    pub previous: Option<Estimate>,
    /// This survey's share minus the previous one's.
    pub change: Option<Difference>,
    /// The survey's own public results would hide this share (a count under its smallest count
    /// shown); staff see it, [`Document::public`] removes it.
    #[serde(default)]
    pub hidden: bool,
    /// The same for the previous survey's share.
    #[serde(default)]
    pub previous_hidden: bool,
}

/// How many dialogues of each kind raised a problem.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DialogueEvidence {
    /// Kind label (Swedish) and dialogues, every kind, in a fixed order.
    pub by_kind: Vec<(String, u64)>,
    pub total: u64,
}

/// One year (or month) of an indicator in a region: its value and, for counts with a known
/// population, the rate per 100 000 inhabitants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub period: String,
    pub value: Option<f64>,
    pub rate: Option<f64>,
}

impl Point {
    /// The figure to compare regions by: the rate where there is one, else the value (which is
    /// then already a rate, share or index).
    pub fn comparable(&self, unit: Unit) -> Option<f64> {
        match unit {
            Unit::Count => self.rate,
            _ => self.value,
        }
    }
}

/// Another region's figure for the same period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub region: String,
    pub name: String,
    /// The figure of the municipality's latest period (or the region's latest).
    pub point: Point,
    /// The region's whole series, for charts and tables.
    #[serde(default)]
    pub series: Vec<Point>,
}

/// Change over the last years of a series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    pub from: String,
    pub to: String,
    pub first: f64,
    pub last: f64,
    /// `(last − first) / first`; `None` when `first` is 0.
    pub relative: Option<f64>,
}

/// An indicator as evidence: the municipality's series with the county and nation beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatisticEvidence {
    pub indicator: Indicator,
    pub region: String,
    pub region_name: String,
    /// Oldest first.
    pub points: Vec<Point>,
    pub county: Option<Comparison>,
    pub nation: Option<Comparison>,
    pub trend: Option<Trend>,
}

/// How many of the last periods the trend spans.
pub const TREND_PERIODS: usize = 5;

/// The smallest count that scores: a rate or a change made of fewer events is chance.
pub const MIN_COUNT: f64 = 5.0;

impl StatisticEvidence {
    /// The last point with a value.
    pub fn latest(&self) -> Option<&Point> {
        self.points.iter().rev().find(|p| p.comparable(self.indicator.unit).is_some())
    }

    /// Level component: the municipality against the nation (else the county); see the module.
    /// A count under [`MIN_COUNT`] does not score.
    pub fn level_score(&self) -> Option<f64> {
        let unit = self.indicator.unit;
        let latest = self.latest()?;
        if unit == Unit::Count && latest.value.is_none_or(|v| v < MIN_COUNT) {
            return None;
        }
        let own = latest.comparable(unit)?;
        let reference = self
            .nation
            .as_ref()
            .and_then(|c| c.point.comparable(unit))
            .or_else(|| self.county.as_ref().and_then(|c| c.point.comparable(unit)))?;
        let ratio = match self.indicator.better {
            Better::Lower if reference > 0.0 => own / reference,
            Better::Higher if own > 0.0 => reference / own,
            _ => return None,
        };
        ratio.is_finite().then(|| (ratio / 2.0).clamp(0.0, 1.0))
    }

    /// Trend component: see the module. Counts under [`MIN_COUNT`] at either end do not score.
    pub fn trend_score(&self) -> Option<f64> {
        let t = self.trend.as_ref()?;
        if self.indicator.unit == Unit::Count {
            let count = |period: &str| self.points.iter().find(|p| p.period == period).and_then(|p| p.value);
            if count(&t.from).is_none_or(|v| v < MIN_COUNT) || count(&t.to).is_none_or(|v| v < MIN_COUNT) {
                return None;
            }
        }
        let relative = t.relative?;
        let worse = match self.indicator.better {
            Better::Lower => relative,
            Better::Higher => -relative,
            Better::Neutral => return None,
        };
        Some((0.5 + worse).clamp(0.0, 1.0))
    }
}

/// The trend of the last [`TREND_PERIODS`] points with a comparable figure.
pub fn trend(points: &[Point], unit: Unit) -> Option<Trend> {
    let with: Vec<(&str, f64)> =
        points.iter().filter_map(|p| p.comparable(unit).map(|v| (p.period.as_str(), v))).collect();
    let last_n = &with[with.len().saturating_sub(TREND_PERIODS)..];
    let (first, last) = (last_n.first()?, last_n.last()?);
    if last_n.len() < 2 {
        return None;
    }
    let relative = (first.1 != 0.0).then(|| (last.1 - first.1) / first.1).filter(|r| r.is_finite());
    Some(Trend { from: first.0.to_owned(), to: last.0.to_owned(), first: first.1, last: last.1, relative })
}

/// Rate per 100 000 of a count in a population.
pub fn per_100k(count: f64, population: f64) -> Option<f64> {
    (population > 0.0 && count.is_finite()).then(|| count / population * 100_000.0)
}

/// The score components of a problem (each `None` without evidence).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Components {
    pub survey: Option<f64>,
    pub dialogue: Option<f64>,
    pub level: Option<f64>,
    pub trend: Option<f64>,
}

impl Components {
    /// The weighted mean of the components present; `None` when none is (or all weights are 0).
    pub fn score(&self, w: &Weights) -> Option<f64> {
        let parts =
            [(self.survey, w.survey), (self.dialogue, w.dialogue), (self.level, w.level), (self.trend, w.trend)];
        let (sum, weight) = parts
            .iter()
            .filter_map(|(c, w)| c.map(|c| (c * f64::from(*w), f64::from(*w))))
            .fold((0.0, 0.0), |(s, t), (a, b)| (s + a, t + b));
        (weight > 0.0).then(|| sum / weight)
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// A problem with its evidence and what staff wrote about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub key: String,
    pub name: String,
    pub survey: Option<SurveyEvidence>,
    pub dialogues: DialogueEvidence,
    pub statistics: Vec<StatisticEvidence>,
    /// Likely causes, as staff judge them (public).
    pub analysis: String,
    /// Internal notes (staff only).
    pub notes: String,
    /// Chosen as a focus area; `theme` is the focus area (theme) of the promise it is linked to.
    pub focus: bool,
    pub theme: Option<String>,
    /// Survey free texts tagged with the problem (staff only).
    pub quotes: Vec<String>,
}

/// A problem in the ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub rank: usize,
    pub problem: Problem,
    pub components: Components,
    pub score: Option<f64>,
}

/// Ranks problems by score (highest first; problems without evidence last), ties by name.
pub fn rank(problems: Vec<Problem>, w: &Weights) -> Vec<Ranked> {
    let most_raised = problems.iter().map(|p| p.dialogues.total).max().unwrap_or(0);
    let any_dialogue = problems.iter().any(|p| !p.dialogues.by_kind.is_empty());
    let mut ranked: Vec<Ranked> = problems
        .into_iter()
        .map(|problem| {
            let components = Components {
                // A share too small to publish is too uncertain to rank by (and would show
                // through the score): it is evidence for staff only.
                survey: problem.survey.as_ref().filter(|s| !s.hidden).and_then(|s| s.share.map(|e| e.share)),
                dialogue: (any_dialogue && most_raised > 0)
                    .then(|| problem.dialogues.total as f64 / most_raised as f64),
                level: mean(problem.statistics.iter().filter_map(StatisticEvidence::level_score)),
                trend: mean(problem.statistics.iter().filter_map(StatisticEvidence::trend_score)),
            };
            let score = components.score(w);
            Ranked { rank: 0, problem, components, score }
        })
        .collect();
    ranked.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => {
            y.total_cmp(&x).then_with(|| sv_sort_key(&a.problem.name).cmp(&sv_sort_key(&b.problem.name)))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => sv_sort_key(&a.problem.name).cmp(&sv_sort_key(&b.problem.name)),
    });
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    ranked
}

/// A lägesbild as shown and as a snapshot stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    pub year: i32,
    /// Names of the municipalities it covers.
    pub municipalities: Vec<String>,
    /// The overall summary staff wrote (public).
    pub summary: String,
    pub weights: Weights,
    pub problems: Vec<Ranked>,
    /// Every indicator with values for the municipalities, for the statistics section.
    pub statistics: Vec<StatisticEvidence>,
    /// Dialogues held in the year, by kind (label, dialogues).
    pub dialogues_held: Vec<(String, u64)>,
}

impl Document {
    /// What the public sees: aggregated figures and the public texts, no notes or free texts, no
    /// survey share the survey's own public results would hide (such shares never count in the
    /// score either, see [`rank`], so the score gives nothing away).
    pub fn public(&self) -> Document {
        let mut d = self.clone();
        for r in &mut d.problems {
            r.problem.notes.clear();
            r.problem.quotes.clear();
            if let Some(s) = &mut r.problem.survey {
                if s.hidden {
                    s.share = None;
                    s.change = None;
                    // Under the smallest count, the number who answered is hidden too.
                    s.n = 0;
                }
                if s.previous_hidden {
                    s.previous = None;
                    s.change = None;
                }
            }
        }
        d
    }
}

/// Which indicators are evidence for a standard problem unless staff choose otherwise: Polisen
/// event types and Kolada key figures that speak of it.
pub fn default_indicators(problem: &str) -> &'static [&'static str] {
    match problem {
        "klotter" | "skadegorelse" => &["polisen:Skadegörelse", "kolada:U07452"],
        "fortkorning" => &["polisen:Trafikbrott", "polisen:Trafikolycka", "polisen:Trafikolycka, personskada"],
        "vardslos-moped-mc" => &["polisen:Trafikbrott", "polisen:Olovlig körning"],
        "storande-ungdomar" => &["polisen:Ofog barn/ungdom", "polisen:Ordningslagen", "polisen:Bråk"],
        "berusade-personer" => &["polisen:Fylleri/LOB", "polisen:Alkohollagen"],
        "narkotika" => &["polisen:Narkotikabrott"],
        "slagsmal-utomhus" => &["polisen:Misshandel", "polisen:Misshandel, grov", "polisen:Bråk", "kolada:N07403"],
        "trakasserier-kvinnor" => &["polisen:Ofredande/förargelse", "polisen:Sedlighetsbrott", "kolada:N07402"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::Source;
    use proptest::prelude::*;

    fn indicator(unit: Unit, better: Better) -> Indicator {
        Indicator {
            key: "kolada:N07403".into(),
            name: "Anmälda våldsbrott".into(),
            unit,
            source: Source::Kolada,
            description: String::new(),
            better,
        }
    }

    fn point(period: &str, value: f64) -> Point {
        Point { period: period.into(), value: Some(value), rate: None }
    }

    fn evidence(own: f64, nation: f64, series: &[f64], better: Better) -> StatisticEvidence {
        let points: Vec<Point> =
            series.iter().chain([own].iter()).enumerate().map(|(i, v)| point(&(2015 + i).to_string(), *v)).collect();
        let unit = Unit::Per100k;
        StatisticEvidence {
            indicator: indicator(unit, better),
            region: "1785".into(),
            region_name: "Säffle".into(),
            trend: trend(&points, unit),
            nation: Some(Comparison {
                region: "00".into(),
                name: "Riket".into(),
                point: point("2024", nation),
                series: vec![],
            }),
            county: None,
            points,
        }
    }

    fn problem(key: &str, survey: Option<f64>, dialogues: u64, statistics: Vec<StatisticEvidence>) -> Problem {
        Problem {
            key: key.into(),
            name: key.into(),
            survey: survey.map(|s| SurveyEvidence {
                survey_title: "Trygghetsundersökning".into(),
                n: 100,
                share: Some(Estimate { share: s, lo: s, hi: s, n: 100.0 }),
                previous_title: None,
                previous: None,
                change: None,
                hidden: false,
                previous_hidden: false,
            }),
            dialogues: DialogueEvidence { by_kind: vec![("Möte".into(), dialogues)], total: dialogues },
            statistics,
            analysis: String::new(),
            notes: String::new(),
            focus: false,
            theme: None,
            quotes: Vec::new(),
        }
    }

    #[test]
    fn level_is_half_the_ratio_to_the_nation() {
        let e = evidence(300.0, 200.0, &[], Better::Lower);
        assert_eq!(e.level_score(), Some(0.75));
        let e = evidence(300.0, 200.0, &[], Better::Higher);
        assert!((e.level_score().unwrap_or(0.0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(evidence(300.0, 200.0, &[], Better::Neutral).level_score(), None);
    }

    #[test]
    fn trend_spans_the_last_five_periods() {
        let e = evidence(150.0, 100.0, &[1000.0, 100.0, 100.0, 100.0, 100.0], Better::Lower);
        let t = e.trend.clone().unwrap_or_else(|| panic!("no trend"));
        assert_eq!((t.from.as_str(), t.to.as_str()), ("2016", "2020"));
        assert_eq!(t.relative, Some(0.5));
        assert_eq!(e.trend_score(), Some(1.0));
        assert_eq!(trend(&[point("2024", 1.0)], Unit::Per100k), None);
    }

    #[test]
    fn a_handful_of_events_does_not_score() {
        let count = |values: &[f64]| {
            let points: Vec<Point> = values
                .iter()
                .enumerate()
                .map(|(i, v)| Point { period: (2020 + i).to_string(), value: Some(*v), rate: Some(*v * 10.0) })
                .collect();
            StatisticEvidence {
                indicator: indicator(Unit::Count, Better::Lower),
                region: "1785".into(),
                region_name: "Säffle".into(),
                trend: trend(&points, Unit::Count),
                nation: Some(Comparison {
                    region: "00".into(),
                    name: "Riket".into(),
                    point: Point { period: "2021".into(), value: Some(1000.0), rate: Some(10.0) },
                    series: vec![],
                }),
                county: None,
                points,
            }
        };
        assert_eq!(count(&[1.0, 2.0]).level_score(), None);
        assert_eq!(count(&[1.0, 2.0]).trend_score(), None);
        assert_eq!(count(&[5.0, 8.0]).level_score(), Some(1.0));
        assert_eq!(count(&[5.0, 8.0]).trend_score(), Some(1.0));
    }

    #[test]
    fn counts_compare_by_rate() {
        let p = Point { period: "2024".into(), value: Some(12.0), rate: Some(70.0) };
        assert_eq!(p.comparable(Unit::Count), Some(70.0));
        assert_eq!(p.comparable(Unit::Per100k), Some(12.0));
        assert_eq!(per_100k(17.0, 15_000.0).map(|r| (r * 10.0).round() / 10.0), Some(113.3));
        assert_eq!(per_100k(1.0, 0.0), None);
    }

    #[test]
    fn missing_evidence_neither_lowers_nor_raises() {
        let w = Weights::default();
        let only_survey = Components { survey: Some(0.4), ..Components::default() };
        assert!((only_survey.score(&w).unwrap_or(0.0) - 0.4).abs() < 1e-12);
        assert_eq!(Components::default().score(&w), None);
        let zero = Weights { survey: 0, dialogue: 0, level: 0, trend: 0 };
        assert_eq!(only_survey.score(&zero), None);
    }

    #[test]
    fn ranking_puts_the_strongest_evidence_first() {
        let problems = vec![
            problem("klotter", Some(0.2), 1, vec![]),
            problem("narkotika", Some(0.5), 4, vec![evidence(300.0, 200.0, &[200.0], Better::Lower)]),
            problem("nedskrapning", None, 0, vec![]),
        ];
        let ranked = rank(problems, &Weights::default());
        let keys: Vec<&str> = ranked.iter().map(|r| r.problem.key.as_str()).collect();
        assert_eq!(keys, ["narkotika", "klotter", "nedskrapning"]);
        assert_eq!(ranked[0].rank, 1);
        assert_eq!(ranked[0].components.dialogue, Some(1.0));
        assert_eq!(ranked[1].components.dialogue, Some(0.25));
        // No survey, but a dialogue count of 0 out of 4: dialogue 0.
        assert_eq!(ranked[2].score, Some(0.0));
    }

    #[test]
    fn weights_from_a_form() {
        assert_eq!(parse_weights("3", " 2 ", "10", "0"), Ok(Weights { survey: 3, dialogue: 2, level: 10, trend: 0 }));
        let errors = parse_weights("11", "x", "", "-1").err().unwrap_or_default();
        assert_eq!(errors.len(), 4);
        assert_eq!(errors[0].0, "survey");
    }

    #[test]
    fn the_public_document_has_no_notes_or_quotes() {
        let mut p = problem("klotter", Some(0.2), 1, vec![]);
        if let Some(s) = &mut p.survey {
            s.hidden = true;
        }
        p.notes = "intern".into();
        p.quotes = vec!["citat".into()];
        p.analysis = "orsak".into();
        let d = Document {
            title: "Lägesbild 2025".into(),
            year: 2025,
            municipalities: vec!["Säffle".into()],
            summary: String::new(),
            weights: Weights::default(),
            problems: rank(vec![p], &Weights::default()),
            statistics: vec![],
            dialogues_held: vec![],
        };
        let public = d.public();
        assert!(public.problems[0].problem.notes.is_empty());
        assert!(public.problems[0].problem.quotes.is_empty());
        assert_eq!(public.problems[0].problem.analysis, "orsak");
        assert_eq!(public.problems[0].problem.survey.as_ref().and_then(|s| s.share), None);
        // A hidden share counts for nothing in the score, for staff too.
        assert_eq!(d.problems[0].components.survey, None);
        assert!(d.problems[0].problem.survey.as_ref().and_then(|s| s.share).is_some());
    }

    proptest! {
        #[test]
        fn scores_stay_within_zero_and_one(
            s in proptest::option::of(0.0f64..=1.0),
            d in proptest::option::of(0.0f64..=1.0),
            l in proptest::option::of(0.0f64..=1.0),
            t in proptest::option::of(0.0f64..=1.0),
            ws in (0u32..=10, 0u32..=10, 0u32..=10, 0u32..=10),
        ) {
            let w = Weights { survey: ws.0, dialogue: ws.1, level: ws.2, trend: ws.3 };
            let c = Components { survey: s, dialogue: d, level: l, trend: t };
            if let Some(score) = c.score(&w) {
                prop_assert!((0.0..=1.0 + 1e-12).contains(&score));
            }
        }

        #[test]
        fn a_larger_component_never_lowers_the_score(
            base in 0.0f64..=1.0, bump in 0.0f64..=1.0, other in 0.0f64..=1.0, w1 in 1u32..=10, w2 in 0u32..=10,
        ) {
            let w = Weights { survey: w1, dialogue: w2, level: 0, trend: 0 };
            let low = Components { survey: Some(base), dialogue: Some(other), ..Components::default() };
            let high = Components { survey: Some((base + bump).min(1.0)), ..low };
            prop_assert!(high.score(&w) >= low.score(&w));
        }

        #[test]
        fn level_and_trend_scores_are_bounded(own in 0.0f64..1e6, nation in 0.0f64..1e6, first in 0.0f64..1e6) {
            let e = evidence(own, nation, &[first], Better::Lower);
            for s in [e.level_score(), e.trend_score()].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&s));
            }
        }
    }
}
