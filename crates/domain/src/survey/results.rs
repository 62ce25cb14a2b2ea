//! A survey's results from its running counts: per question and choice the count, the share and
//! its Wilson 95 % interval; the same by gender, age group and sub-area; weighted to the
//! population (post-stratification by age group × gender, with Kish's effective sample size);
//! the change since an earlier survey with the same question. Small cells are suppressed in
//! public results.

use std::collections::HashMap;

use serde::Serialize;

use super::{Kind, Population, Questionnaire, Role};
use crate::stats::{Difference, Estimate, Stratum, difference, share, weighted_share};

/// The counts results are made of, as the database sums them, with the sums results need
/// made once (a results page looks up thousands of them).
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// (question, choice, gender, age) → n, sub-areas summed. Choice "" = answered the question.
    strata: HashMap<(String, String, String, String), u64>,
    /// (question, choice, sub-area) → n.
    sub_areas: HashMap<(String, String, String), u64>,
    /// (question, choice) → n; (question, choice, gender) → n; (question, choice, age) → n.
    totals: HashMap<(String, String), u64>,
    genders: HashMap<(String, String, String), u64>,
    ages: HashMap<(String, String, String), u64>,
}

fn key2(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

fn key3(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.to_owned(), b.to_owned(), c.to_owned())
}

impl Counts {
    pub fn from_rows(
        strata: impl IntoIterator<Item = (String, String, String, String, i64)>,
        sub_areas: impl IntoIterator<Item = (String, String, String, i64)>,
    ) -> Counts {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let mut c = Counts {
            sub_areas: sub_areas.into_iter().map(|(q, ch, s, v)| ((q, ch, s), n(v))).collect(),
            ..Counts::default()
        };
        for (q, ch, g, a, v) in strata {
            let v = n(v);
            *c.totals.entry(key2(&q, &ch)).or_default() += v;
            *c.genders.entry(key3(&q, &ch, &g)).or_default() += v;
            *c.ages.entry(key3(&q, &ch, &a)).or_default() += v;
            *c.strata.entry((q, ch, g, a)).or_default() += v;
        }
        c
    }

    /// Count of `choice` in `question`.
    fn total(&self, question: &str, choice: &str) -> u64 {
        self.totals.get(&key2(question, choice)).copied().unwrap_or(0)
    }

    fn of_gender(&self, question: &str, choice: &str, gender: &str) -> u64 {
        self.genders.get(&key3(question, choice, gender)).copied().unwrap_or(0)
    }

    fn of_age(&self, question: &str, choice: &str, age: &str) -> u64 {
        self.ages.get(&key3(question, choice, age)).copied().unwrap_or(0)
    }

    fn of_stratum(&self, question: &str, choice: &str, gender: &str, age: &str) -> u64 {
        let k = (question.to_owned(), choice.to_owned(), gender.to_owned(), age.to_owned());
        self.strata.get(&k).copied().unwrap_or(0)
    }

    fn of_sub_area(&self, question: &str, choice: &str, sub_area: &str) -> u64 {
        self.sub_areas.get(&key3(question, choice, sub_area)).copied().unwrap_or(0)
    }
}

/// How results are shown: publicly (cells under `min_cell` suppressed) or to staff (all shown,
/// small ones marked).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub min_cell: u64,
    pub public: bool,
}

/// One count with its share, or nothing when suppressed.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub count: Option<u64>,
    pub estimate: Option<Estimate>,
    pub suppressed: bool,
    /// Under the smallest count shown publicly (staff view only).
    pub small: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChoiceResult {
    pub key: String,
    pub label: String,
    pub cell: Cell,
    pub weighted: Option<Estimate>,
    /// This survey's share minus the earlier survey's.
    pub change: Option<Difference>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    pub label: String,
    pub n: Option<u64>,
    pub cells: Vec<Cell>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Breakdown {
    pub by: &'static str,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NumberSummary {
    pub mean: f64,
    pub median: i64,
    /// The smallest and largest answer: one person's each, so for staff only.
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuestionResult {
    pub key: String,
    pub text: String,
    pub kind: Kind,
    /// Respondents who answered, or none when suppressed.
    pub n: Option<u64>,
    pub choices: Vec<ChoiceResult>,
    pub breakdowns: Vec<Breakdown>,
    /// Effective sample size of the weighted shares (Kish).
    pub n_eff: Option<f64>,
    pub numbers: Option<NumberSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub respondents: u64,
    pub questions: Vec<QuestionResult>,
    /// Respondents with an age group and a gender the population has (the weighted base).
    pub weighted_base: Option<u64>,
    pub min_cell: u64,
}

/// A breakdown: its heading, its groups (key, label), and which count dimension it reads
/// (0 gender, 1 age group, 2 sub-area).
type Dimension = (&'static str, Vec<(String, String)>, u8);

fn cells(counts: &[u64], n: u64, o: Options, exhaustive: bool) -> Vec<Cell> {
    let small = |k: u64| k < o.min_cell;
    let mut hidden: Vec<bool> = counts.iter().map(|k| o.public && (small(*k) || n < o.min_cell)).collect();
    // Secondary suppression: when the counts add up to n and exactly one is hidden, it could be
    // found by subtraction, so the smallest other one is hidden too.
    if o.public && exhaustive && n >= o.min_cell && hidden.iter().filter(|h| **h).count() == 1 {
        let next = counts.iter().enumerate().filter(|(i, _)| !hidden[*i]).min_by_key(|(_, k)| **k).map(|(i, _)| i);
        if let Some(i) = next {
            hidden[i] = true;
        }
    }
    counts
        .iter()
        .zip(hidden)
        .map(|(k, hide)| Cell {
            count: (!hide).then_some(*k),
            estimate: if hide { None } else { share(*k, n) },
            suppressed: hide,
            small: !o.public && small(*k),
        })
        .collect()
}

/// Which group sizes public results hide: those from 1 to under the smallest count (an empty
/// group tells nothing about anyone), and when exactly one is hidden the next smallest too.
fn hidden_sizes(sizes: &[u64], o: Options) -> Vec<bool> {
    let mut hidden: Vec<bool> = sizes.iter().map(|n| o.public && *n > 0 && *n < o.min_cell).collect();
    if hidden.iter().filter(|h| **h).count() == 1 {
        let next =
            sizes.iter().enumerate().filter(|(i, n)| !hidden[*i] && **n > 0).min_by_key(|(_, n)| **n).map(|(i, _)| i);
        if let Some(i) = next {
            hidden[i] = true;
        }
    }
    hidden
}

fn shown(n: u64, o: Options) -> Option<u64> {
    (!o.public || n >= o.min_cell).then_some(n)
}

/// The results of one survey. `earlier` is another survey's questionnaire and counts to compare
/// with (questions and choices with the same keys).
pub fn compute(
    q: &Questionnaire,
    sub_areas: &[(String, String)],
    counts: &Counts,
    population: Option<&Population>,
    earlier: Option<(&Questionnaire, &Counts)>,
    lang: &str,
    o: Options,
) -> Results {
    let gender_q = q.role(Role::Gender);
    let age_q = q.role(Role::AgeGroup);
    let strata: Vec<(String, String, f64)> = population
        .map(|p| {
            p.cells
                .iter()
                .filter(|c| {
                    age_q.is_some_and(|a| a.choice(&c.age).is_some())
                        && gender_q.is_some_and(|g| g.choice(&c.gender).is_some())
                })
                .map(|c| (c.gender.clone(), c.age.clone(), c.count as f64))
                .collect()
        })
        .unwrap_or_default();
    let respondents = q.questions.iter().map(|question| counts.total(&question.key, "")).max().unwrap_or(0);
    let weighted_base = (!strata.is_empty()).then(|| {
        q.questions
            .iter()
            .map(|question| strata.iter().map(|(g, a, _)| counts.of_stratum(&question.key, "", g, a)).sum())
            .max()
            .unwrap_or(0)
    });
    let mut questions = Vec::new();
    for question in &q.questions {
        let key = question.key.as_str();
        let n = counts.total(key, "");
        let mut result = QuestionResult {
            key: question.key.clone(),
            text: question.text.get(lang).to_owned(),
            kind: question.kind,
            n: shown(n, o),
            choices: Vec::new(),
            breakdowns: Vec::new(),
            n_eff: None,
            numbers: None,
        };
        let choice_list: Vec<(String, String)> = match question.kind {
            Kind::Single | Kind::Multiple => {
                question.choices.iter().map(|c| (c.key.clone(), c.text.get(lang).to_owned())).collect()
            }
            Kind::SubArea => sub_areas.to_vec(),
            Kind::Number => {
                result.numbers = numbers(counts, key, n, o);
                Vec::new()
            }
            Kind::FreeText => Vec::new(),
        };
        let exhaustive = question.kind != Kind::Multiple;
        let totals: Vec<u64> = choice_list.iter().map(|(c, _)| counts.total(key, c)).collect();
        let overall = cells(&totals, n, o, exhaustive);
        let earlier_estimates = earlier.and_then(|(eq, ec)| {
            let other = eq.question(key).filter(|other| other.kind == question.kind)?;
            let en = ec.total(key, "");
            Some(
                choice_list
                    .iter()
                    .map(|(c, _)| {
                        let known = other.kind == Kind::SubArea || other.choice(c).is_some();
                        known.then(|| share(ec.total(key, c), en)).flatten()
                    })
                    .collect::<Vec<_>>(),
            )
        });
        let mut n_eff = None;
        for (i, ((ck, label), cell)) in choice_list.iter().zip(overall).enumerate() {
            let weighted = (!strata.is_empty() && !cell.suppressed && question.role.is_none())
                .then(|| {
                    let s: Vec<Stratum> = strata
                        .iter()
                        .map(|(g, a, pop)| Stratum {
                            population: *pop,
                            respondents: counts.of_stratum(key, "", g, a),
                            yes: counts.of_stratum(key, ck, g, a),
                        })
                        .collect();
                    weighted_share(&s)
                })
                .flatten();
            if let Some(w) = &weighted {
                n_eff = Some(w.n_eff);
            }
            let change = match (&cell.estimate, earlier_estimates.as_ref().and_then(|e| e.get(i).copied().flatten())) {
                (Some(now), Some(before)) if !cell.suppressed && (!o.public || before.n >= o.min_cell as f64) => {
                    difference(&before, now)
                }
                _ => None,
            };
            result.choices.push(ChoiceResult {
                key: ck.clone(),
                label: label.clone(),
                cell,
                weighted: weighted.map(|w| w.estimate),
                change,
            });
        }
        result.n_eff = n_eff;
        if !choice_list.is_empty() {
            let mut dims: Vec<Dimension> = Vec::new();
            for (role, by) in [(Role::Gender, "Kön"), (Role::AgeGroup, "Åldersgrupp")] {
                if let Some(rq) = q.role(role)
                    && rq.key != question.key
                {
                    let groups = rq.choices.iter().map(|c| (c.key.clone(), c.text.get(lang).to_owned())).collect();
                    dims.push((by, groups, if role == Role::Gender { 0 } else { 1 }));
                }
            }
            if question.kind != Kind::SubArea && q.sub_area().is_some() && !sub_areas.is_empty() {
                dims.push(("Delområde", sub_areas.to_vec(), 2));
            }
            for (by, groups, dim) in dims {
                let sum = |choice: &str, group: &str| -> u64 {
                    match dim {
                        0 => counts.of_gender(key, choice, group),
                        1 => counts.of_age(key, choice, group),
                        _ => counts.of_sub_area(key, choice, group),
                    }
                };
                // The groups' sizes are suppressed like any distribution (with secondary
                // suppression), so that a hidden size cannot be found by subtraction; a group
                // whose size is hidden is hidden whole.
                let sizes: Vec<u64> = groups.iter().map(|(gk, _)| sum("", gk)).collect();
                let hidden = hidden_sizes(&sizes, o);
                let groups = groups
                    .iter()
                    .zip(sizes.iter().zip(hidden))
                    .map(|((gk, label), (gn, size_hidden))| {
                        let ks: Vec<u64> = choice_list.iter().map(|(c, _)| sum(c, gk)).collect();
                        let mut group_cells = cells(&ks, *gn, o, exhaustive);
                        if size_hidden {
                            group_cells.fill(Cell { count: None, estimate: None, suppressed: true, small: false });
                        }
                        Group {
                            label: label.clone(),
                            n: if size_hidden { None } else { shown(*gn, o) },
                            cells: group_cells,
                        }
                    })
                    .collect();
                result.breakdowns.push(Breakdown { by, groups });
            }
        }
        questions.push(result);
    }
    Results { respondents, questions, weighted_base, min_cell: o.min_cell }
}

fn numbers(counts: &Counts, key: &str, n: u64, o: Options) -> Option<NumberSummary> {
    if n == 0 || (o.public && n < o.min_cell) {
        return None;
    }
    let mut values: Vec<(i64, u64)> = counts
        .totals
        .iter()
        .filter(|((q, c), _)| q == key && !c.is_empty())
        .filter_map(|((_, c), v)| c.parse::<i64>().ok().map(|x| (x, *v)))
        .collect();
    values.sort_unstable();
    let mut merged: Vec<(i64, u64)> = Vec::new();
    for (x, v) in values {
        match merged.last_mut() {
            Some((lx, lv)) if *lx == x => *lv += v,
            _ => merged.push((x, v)),
        }
    }
    let total: u64 = merged.iter().map(|(_, v)| v).sum();
    if total == 0 {
        return None;
    }
    let mean = merged.iter().map(|(x, v)| *x as f64 * *v as f64).sum::<f64>() / total as f64;
    let half = total.div_ceil(2);
    let mut seen = 0;
    let median = merged
        .iter()
        .find(|(_, v)| {
            seen += v;
            seen >= half
        })
        .map_or(0, |(x, _)| *x);
    Some(NumberSummary {
        mean,
        median,
        min: merged.first().map(|m| m.0).filter(|_| !o.public),
        max: merged.last().map(|m| m.0).filter(|_| !o.public),
    })
}

/// How many of those who took a stand on a problem question see a big problem.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProblemShare {
    /// Answered "mycket stort" or "ganska stort".
    pub big: u64,
    /// Answered the question with anything but "vet ej".
    pub n: u64,
}

impl ProblemShare {
    /// The share with its 95 % interval, or `None` when public and either count is under the
    /// smallest count shown (as the survey's own results would hide it).
    pub fn estimate(&self, min_cell: u64, public: bool) -> Option<Estimate> {
        if public && (self.n < min_cell || self.big < min_cell) {
            return None;
        }
        share(self.big, self.n)
    }
}

/// The first single-choice question of `q` that measures `problem`, counted as a [`ProblemShare`];
/// `None` when the survey asks nothing about it.
pub fn problem_share(q: &Questionnaire, counts: &Counts, problem: &str) -> Option<ProblemShare> {
    let question = q.questions.iter().find(|x| x.kind == Kind::Single && x.problem.as_deref() == Some(problem))?;
    let key = question.key.as_str();
    let dont_know: u64 = question.choices.iter().filter(|c| c.dont_know).map(|c| counts.total(key, &c.key)).sum();
    let big: u64 = super::BIG_PROBLEM.iter().map(|c| counts.total(key, c)).sum();
    Some(ProblemShare { big, n: counts.total(key, "").saturating_sub(dont_know) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{Answers, PopulationCell, safety_survey_template};

    fn counts_of(q: &Questionnaire, people: &[Answers]) -> Counts {
        let mut strata: HashMap<(String, String, String, String), i64> = HashMap::new();
        let mut subs: HashMap<(String, String, String), i64> = HashMap::new();
        for a in people {
            for k in a.tally_keys(q) {
                *strata.entry((k.question.clone(), k.choice.clone(), k.gender, k.age)).or_default() += 1;
                *subs.entry((k.question, k.choice, k.sub_area)).or_default() += 1;
            }
        }
        Counts::from_rows(
            strata.into_iter().map(|((q, c, g, a), n)| (q, c, g, a, n)),
            subs.into_iter().map(|((q, c, s), n)| (q, c, s, n)),
        )
    }

    fn person(problem: &str, gender: &str, age: &str, area: &str) -> Answers {
        let mut a = Answers::default();
        a.choices.insert("problem-klotter".into(), vec![problem.into()]);
        a.choices.insert("kon".into(), vec![gender.into()]);
        a.choices.insert("alder".into(), vec![age.into()]);
        a.choices.insert("delomrade".into(), vec![area.into()]);
        a
    }

    fn crowd() -> Vec<Answers> {
        let mut people = Vec::new();
        // 30 women 25–44 in the centre, 12 of whom see graffiti as a very big problem;
        // 10 men 65–79 in the north, 1 of whom does; 3 don't know.
        people.extend((0..12).map(|_| person("mycket-stort", "kvinna", "25-44", "centrum")));
        people.extend((0..18).map(|_| person("inget", "kvinna", "25-44", "centrum")));
        people.push(person("mycket-stort", "man", "65-79", "norr"));
        people.extend((0..6).map(|_| person("ganska-litet", "man", "65-79", "norr")));
        people.extend((0..3).map(|_| person("vet-ej", "man", "65-79", "norr")));
        people
    }

    fn areas() -> Vec<(String, String)> {
        vec![("centrum".into(), "Centrum".into()), ("norr".into(), "Norr".into())]
    }

    #[test]
    fn problem_share_leaves_out_dont_know() {
        let q = safety_survey_template();
        let c = counts_of(&q, &crowd());
        let s = problem_share(&q, &c, "klotter").expect("graffiti is asked");
        // 13 big of the 37 who took a stand (3 "vet ej" left out).
        assert_eq!(s, ProblemShare { big: 13, n: 37 });
        let e = s.estimate(5, true).expect("shown");
        assert!((e.share - 13.0 / 37.0).abs() < 1e-12);
        assert_eq!(ProblemShare { big: 4, n: 37 }.estimate(5, true), None);
        assert!(ProblemShare { big: 4, n: 37 }.estimate(5, false).is_some());
        assert_eq!(problem_share(&q, &c, "okant-problem"), None);
    }

    #[test]
    fn counts_shares_and_suppression() {
        let q = safety_survey_template();
        let c = counts_of(&q, &crowd());
        let staff = compute(&q, &areas(), &c, None, None, "sv", Options { min_cell: 5, public: false });
        assert_eq!(staff.respondents, 40);
        let graffiti = staff.questions.iter().find(|r| r.key == "problem-klotter").expect("question");
        assert_eq!(graffiti.n, Some(40));
        let big = &graffiti.choices[0].cell;
        assert_eq!(big.count, Some(13));
        let e = big.estimate.expect("estimate");
        assert!((e.share - 13.0 / 40.0).abs() < 1e-12 && e.lo < e.share && e.share < e.hi);
        assert!(graffiti.choices[4].cell.small, "3 'vet ej' is under 5");

        let public = compute(&q, &areas(), &c, None, None, "sv", Options { min_cell: 5, public: true });
        let graffiti = public.questions.iter().find(|r| r.key == "problem-klotter").expect("question");
        // "ganska stort" (0) and "vet ej" (3) are under 5; two are hidden, so neither can be found
        // by subtraction.
        let hidden: Vec<bool> = graffiti.choices.iter().map(|c| c.cell.suppressed).collect();
        assert_eq!(hidden, [false, true, false, false, true]);
        let by_gender = &graffiti.breakdowns[0];
        assert_eq!(by_gender.by, "Kön");
        // Men: 1 very big (hidden), 0, 6, 0 (hidden), 3 (hidden); women 12, 0, 0, 18, 0.
        assert_eq!(by_gender.groups[1].n, Some(10));
        assert_eq!(by_gender.groups[1].cells[0].count, None);
        assert_eq!(by_gender.groups[1].cells[2].count, Some(6));
        // "Annat": no one, so the group's size is hidden too.
        assert_eq!(by_gender.groups[2].n, None);
        let by_area = graffiti.breakdowns.iter().find(|b| b.by == "Delområde").expect("sub-areas");
        assert_eq!(by_area.groups[0].cells[0].count, Some(12));
    }

    #[test]
    fn exactly_one_small_cell_takes_the_next_smallest_with_it() {
        let o = Options { min_cell: 5, public: true };
        let shown: Vec<Option<u64>> = cells(&[10, 3, 7, 20], 40, o, true).iter().map(|c| c.count).collect();
        assert_eq!(shown, [Some(10), None, None, Some(20)]);
        // Group sizes: an empty group is no one's; one small one takes the next smallest with it.
        assert_eq!(hidden_sizes(&[30, 3, 8, 0], o), [false, true, true, false]);
        assert_eq!(hidden_sizes(&[30, 3, 4, 8], o), [false, true, true, false]);
        assert_eq!(hidden_sizes(&[30, 3, 8], Options { public: false, ..o }), [false, false, false]);
        // Not for multiple choice, whose counts do not add up to n.
        let shown: Vec<Option<u64>> = cells(&[10, 3, 7, 20], 40, o, false).iter().map(|c| c.count).collect();
        assert_eq!(shown, [Some(10), None, Some(7), Some(20)]);
    }

    #[test]
    fn weighting_to_the_population() {
        let q = safety_survey_template();
        let c = counts_of(&q, &crowd());
        // Equal populations: the men's answers weigh three times as much as the women's.
        let population = Population {
            source: "hand-made".into(),
            region: "1785".into(),
            year: "2024".into(),
            cells: vec![
                PopulationCell { age: "25-44".into(), gender: "kvinna".into(), count: 1000 },
                PopulationCell { age: "65-79".into(), gender: "man".into(), count: 1000 },
            ],
        };
        let r = compute(&q, &areas(), &c, Some(&population), None, "sv", Options { min_cell: 5, public: false });
        assert_eq!(r.weighted_base, Some(40));
        let graffiti = r.questions.iter().find(|r| r.key == "problem-klotter").expect("question");
        let w = graffiti.choices[0].weighted.expect("weighted");
        // (12/30 + 1/10) / 2 = 0.25, against 13/40 unweighted.
        assert!((w.share - 0.25).abs() < 1e-12, "{}", w.share);
        // Kish: weights 1000/30 for 30 people and 1000/10 for 10: (2000)² / (30·(100/3)² + 10·100²).
        let expected = 2000.0_f64.powi(2) / (30.0 * (1000.0_f64 / 30.0).powi(2) + 10.0 * 100.0_f64.powi(2));
        assert!((graffiti.n_eff.expect("n_eff") - expected).abs() < 1e-9);
        // Gender and age are what is weighted by: not weighted themselves.
        let gender = r.questions.iter().find(|r| r.key == "kon").expect("gender");
        assert!(gender.choices.iter().all(|c| c.weighted.is_none()));
    }

    #[test]
    fn change_since_an_earlier_survey() {
        let q = safety_survey_template();
        let now = counts_of(&q, &crowd());
        let mut before_people = Vec::new();
        before_people.extend((0..2).map(|_| person("mycket-stort", "kvinna", "25-44", "centrum")));
        before_people.extend((0..5).map(|_| person("ganska-litet", "kvinna", "25-44", "centrum")));
        before_people.extend((0..33).map(|_| person("inget", "kvinna", "25-44", "centrum")));
        let before = counts_of(&q, &before_people);
        let r = compute(&q, &areas(), &now, None, Some((&q, &before)), "sv", Options { min_cell: 5, public: false });
        let graffiti = r.questions.iter().find(|r| r.key == "problem-klotter").expect("question");
        let change = graffiti.choices[0].change.expect("change");
        assert!((change.diff - (13.0 / 40.0 - 2.0 / 40.0)).abs() < 1e-12);
        assert!(change.significant, "{change:?}");
        let none = graffiti.choices[2].change.expect("change");
        assert!(!none.significant, "6/40 against 5/40: {none:?}");
    }

    #[test]
    fn numbers_are_summarised() {
        let q = safety_survey_template();
        let people: Vec<Answers> = [1, 2, 2, 3, 30]
            .iter()
            .map(|n| {
                let mut a = Answers::default();
                a.numbers.insert("ar-i-omradet".into(), *n);
                a
            })
            .collect();
        let r = compute(&q, &[], &counts_of(&q, &people), None, None, "en", Options { min_cell: 5, public: true });
        let years = r.questions.iter().find(|r| r.key == "ar-i-omradet").expect("question");
        let s = years.numbers.as_ref().expect("summary");
        assert_eq!((s.median, s.min, s.max), (2, None, None), "the extremes are individuals: not public");
        assert!((s.mean - 7.6).abs() < 1e-12);
        assert_eq!(years.text, "How many years have you lived in your neighbourhood?");
    }
}
